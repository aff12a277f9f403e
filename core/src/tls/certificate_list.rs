//! A certificate list a socket keeps for its control (`TrustedRootCertificates`): replaced
//! whole, never grown, and usually one certificate (an app's private CA), which is kept inline
//! rather than in a heap block of its own (8 bytes asked for, 32 taken from malloc).

use std::ops::Deref;

use super::Certificate;

#[derive(Clone)]
pub(crate) enum CertificateList {
    One(Certificate),
    /// Any other length (the empty list allocates nothing).
    Many(Box<[Certificate]>),
}

impl Default for CertificateList {
    fn default() -> Self {
        Self::Many(Box::default())
    }
}

impl From<Vec<Certificate>> for CertificateList {
    fn from(mut list: Vec<Certificate>) -> Self {
        match list.pop() {
            Some(one) if list.is_empty() => Self::One(one),
            Some(last) => {
                list.push(last);
                Self::Many(list.into_boxed_slice())
            }
            None => Self::default(),
        }
    }
}

impl Deref for CertificateList {
    type Target = [Certificate];

    fn deref(&self) -> &[Certificate] {
        match self {
            Self::One(one) => std::slice::from_ref(one),
            Self::Many(many) => many,
        }
    }
}

impl std::fmt::Debug for CertificateList {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_order_and_one_certificate_inline() {
        let [a, b] = <[Certificate; 2]>::try_from(crate::tls::tests::roots(&["ca", "inter"])).unwrap();
        let empty = CertificateList::from(Vec::new());
        assert!(empty.is_empty());
        let one = CertificateList::from(vec![a.clone()]);
        assert!(matches!(one, CertificateList::One(_)));
        assert_eq!(one.len(), 1);
        assert_eq!(one[0].thumbprint_sha256(), a.thumbprint_sha256());
        let two = CertificateList::from(vec![a.clone(), b.clone()]);
        let prints: Vec<_> = two.iter().map(Certificate::thumbprint_sha256).collect();
        assert_eq!(prints, [a.thumbprint_sha256(), b.thumbprint_sha256()]);
        assert_eq!(std::mem::size_of::<CertificateList>(), std::mem::size_of::<Box<[Certificate]>>());
    }
}
