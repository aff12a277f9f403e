//! `IVector<T>` / `IVectorView<T>`: the one implementation every projection wraps.
//!
//! A vector obtained from a control (`IgnorableServerCertificateErrors`,
//! `TrustedRootCertificates`, `ApplicationProtocols`, `CertificateRevocationLists`) is a
//! *live view* of that control, as in WinRT: it holds no copy, every read asks the control,
//! and every change is a read-modify-write through the control's setter — so the control's
//! validation applies (a value it refuses is `E_INVALIDARG` and changes nothing; once the
//! settings are frozen by a connect, `E_ILLEGAL_METHOD_CALL`), and changes made through any
//! projection are seen at once. Modifications are serialised process-wide, so two threads
//! appending through two views of the same control both land.
//!
//! A vector obtained from an `Information` object or a `Certificate` is a snapshot taken
//! when the getter ran (an `IVectorView`): reading works, modifying is
//! `E_ILLEGAL_METHOD_CALL`.

use std::sync::{Arc, Mutex};

use crate::error::hresult::E_BOUNDS;
use crate::error::{Error, Result};

/// The state a live vector shows: read it whole, replace it whole (validated).
pub trait VectorSource<T>: Send + Sync {
    /// The current elements.
    fn read(&self) -> Vec<T>;
    /// Replaces the elements; the owner validates (and may refuse) them.
    fn write(&self, values: Vec<T>) -> Result<()>;
}

struct FnSource<R, W>(R, W);

impl<T, R, W> VectorSource<T> for FnSource<R, W>
where
    R: Fn() -> Vec<T> + Send + Sync,
    W: Fn(Vec<T>) -> Result<()> + Send + Sync,
{
    fn read(&self) -> Vec<T> {
        (self.0)()
    }

    fn write(&self, values: Vec<T>) -> Result<()> {
        (self.1)(values)
    }
}

enum Backing<T> {
    View(Arc<Vec<T>>),
    Live(Arc<dyn VectorSource<T>>),
}

impl<T> Clone for Backing<T> {
    fn clone(&self) -> Self {
        match self {
            Backing::View(v) => Backing::View(v.clone()),
            Backing::Live(s) => Backing::Live(s.clone()),
        }
    }
}

/// Serialises read-modify-write through live views.
static MODIFY: Mutex<()> = Mutex::new(());

/// An `IVector<T>` (live, over a control's setting) or `IVectorView<T>` (a snapshot).
/// Cloning gives another reference to the same vector.
pub struct Vector<T> {
    backing: Backing<T>,
}

impl<T> Clone for Vector<T> {
    fn clone(&self) -> Self {
        Self { backing: self.backing.clone() }
    }
}

impl<T: std::fmt::Debug + Clone + Send + Sync + 'static> std::fmt::Debug for Vector<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.to_vec()).finish()
    }
}

impl<T: Clone + Send + Sync + 'static> Vector<T> {
    /// A live view: `read` gives the current elements, `write` replaces them (validating).
    pub fn live(
        read: impl Fn() -> Vec<T> + Send + Sync + 'static,
        write: impl Fn(Vec<T>) -> Result<()> + Send + Sync + 'static,
    ) -> Self {
        Self { backing: Backing::Live(Arc::new(FnSource(read, write))) }
    }

    /// A live view over any [`VectorSource`].
    pub fn over(source: Arc<dyn VectorSource<T>>) -> Self {
        Self { backing: Backing::Live(source) }
    }

    /// A read-only snapshot (`IVectorView<T>`).
    pub fn view(items: Vec<T>) -> Self {
        Self { backing: Backing::View(Arc::new(items)) }
    }

    /// Whether this is a read-only `IVectorView` (its modifying members fail).
    pub fn is_read_only(&self) -> bool {
        matches!(self.backing, Backing::View(_))
    }

    /// The elements, copied.
    pub fn to_vec(&self) -> Vec<T> {
        match &self.backing {
            Backing::View(v) => v.as_ref().clone(),
            Backing::Live(s) => s.read(),
        }
    }

    /// `Size`.
    pub fn size(&self) -> u32 {
        match &self.backing {
            Backing::View(v) => v.len() as u32,
            Backing::Live(s) => s.read().len() as u32,
        }
    }

    /// Whether `Size` is 0.
    pub fn is_empty(&self) -> bool {
        self.size() == 0
    }

    /// `GetAt(index)`.
    ///
    /// # Errors
    /// `E_BOUNDS` when `index` ≥ `Size`.
    pub fn get_at(&self, index: u32) -> Result<T> {
        let all = self.to_vec();
        all.get(index as usize).cloned().ok_or_else(|| bounds(index, all.len()))
    }

    /// `GetView()`: a snapshot of the current elements.
    pub fn get_view(&self) -> Vector<T> {
        Self::view(self.to_vec())
    }

    /// `IndexOf(value)`: the first index holding `value`.
    pub fn index_of(&self, value: &T) -> Option<u32>
    where
        T: PartialEq,
    {
        self.to_vec().iter().position(|v| v == value).map(|i| i as u32)
    }

    /// `SetAt(index, value)`.
    ///
    /// # Errors
    /// `E_BOUNDS`; the owner's validation (`E_INVALIDARG`, `E_ILLEGAL_METHOD_CALL` once
    /// frozen); `E_ILLEGAL_METHOD_CALL` on a view.
    pub fn set_at(&self, index: u32, value: T) -> Result<()> {
        self.modify(|all| {
            let len = all.len();
            *all.get_mut(index as usize).ok_or_else(|| bounds(index, len))? = value;
            Ok(())
        })
    }

    /// `InsertAt(index, value)` (`index` may equal `Size`).
    ///
    /// # Errors
    /// As [`set_at`](Self::set_at).
    pub fn insert_at(&self, index: u32, value: T) -> Result<()> {
        self.modify(|all| {
            if index as usize > all.len() {
                return Err(bounds(index, all.len()));
            }
            all.insert(index as usize, value);
            Ok(())
        })
    }

    /// `RemoveAt(index)`.
    ///
    /// # Errors
    /// As [`set_at`](Self::set_at).
    pub fn remove_at(&self, index: u32) -> Result<()> {
        self.modify(|all| {
            if index as usize >= all.len() {
                return Err(bounds(index, all.len()));
            }
            all.remove(index as usize);
            Ok(())
        })
    }

    /// `Append(value)`.
    ///
    /// # Errors
    /// The owner's validation; `E_ILLEGAL_METHOD_CALL` on a view.
    pub fn append(&self, value: T) -> Result<()> {
        self.modify(|all| {
            all.push(value);
            Ok(())
        })
    }

    /// `RemoveAtEnd()`.
    ///
    /// # Errors
    /// `E_BOUNDS` when empty; as [`append`](Self::append).
    pub fn remove_at_end(&self) -> Result<()> {
        self.modify(|all| all.pop().map(drop).ok_or_else(|| bounds(0, 0)))
    }

    /// `Clear()`.
    ///
    /// # Errors
    /// As [`append`](Self::append).
    pub fn clear(&self) -> Result<()> {
        self.replace_all(Vec::new())
    }

    /// `ReplaceAll(items)`.
    ///
    /// # Errors
    /// As [`append`](Self::append).
    pub fn replace_all(&self, items: Vec<T>) -> Result<()> {
        self.modify(|all| {
            *all = items;
            Ok(())
        })
    }

    /// Read-modify-write through the owner's setter.
    fn modify(&self, f: impl FnOnce(&mut Vec<T>) -> Result<()>) -> Result<()> {
        let Backing::Live(source) = &self.backing else {
            return Err(Error::illegal_method_call("this vector is read-only (an IVectorView)"));
        };
        let _serial = MODIFY.lock().unwrap_or_else(|e| e.into_inner());
        let mut all = source.read();
        f(&mut all)?;
        source.write(all)
    }
}

fn bounds(index: u32, size: usize) -> Error {
    Error::new(E_BOUNDS, format!("index {index} is out of range (size {size})"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::hresult::{E_ILLEGAL_METHOD_CALL, E_INVALIDARG};

    fn even_numbers() -> (Vector<i32>, Arc<Mutex<Vec<i32>>>) {
        let state = Arc::new(Mutex::new(Vec::new()));
        let (r, w) = (state.clone(), state.clone());
        let v = Vector::live(
            move || r.lock().unwrap().clone(),
            move |values: Vec<i32>| {
                if values.iter().any(|v| v % 2 != 0) {
                    return Err(Error::invalid_arg("odd"));
                }
                *w.lock().unwrap() = values;
                Ok(())
            },
        );
        (v, state)
    }

    #[test]
    fn a_live_vector_changes_its_owner_and_the_owner_validates() {
        let (v, state) = even_numbers();
        v.append(2).unwrap();
        v.insert_at(0, 4).unwrap();
        assert_eq!(*state.lock().unwrap(), [4, 2]);
        assert_eq!(v.append(3).unwrap_err().hresult(), E_INVALIDARG);
        assert_eq!(v.to_vec(), [4, 2], "a refused change changes nothing");
        assert_eq!(v.get_at(2).unwrap_err().hresult(), E_BOUNDS);
        assert_eq!(v.index_of(&2), Some(1));
        v.set_at(1, 6).unwrap();
        v.remove_at(0).unwrap();
        assert_eq!(v.to_vec(), [6]);
        state.lock().unwrap().push(8);
        assert_eq!(v.size(), 2, "reads see the owner's state");
        let view = v.get_view();
        v.clear().unwrap();
        assert_eq!(view.to_vec(), [6, 8]);
        assert_eq!(view.append(2).unwrap_err().hresult(), E_ILLEGAL_METHOD_CALL);
        assert!(view.is_read_only() && !v.is_read_only());
        assert_eq!(v.remove_at_end().unwrap_err().hresult(), E_BOUNDS);
    }
}
