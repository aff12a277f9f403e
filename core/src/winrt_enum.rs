//! `winrt_enum!`: declares a WinRT enumeration (`#[repr(i32)]`, explicit values) and gives it the
//! same small API everywhere, so every projection and test can enumerate and name members.

/// Declares an `i32` WinRT enum with `ALL`, `from_i32`, `name`, `Display` and `From<_> for i32`.
/// The caller writes the derives (and `#[default]`) as usual.
macro_rules! winrt_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $value:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[repr(i32)]
        pub enum $name {
            $( $(#[$vmeta])* $variant = $value, )+
        }

        impl $name {
            /// Every member, in declaration (ascending numeric) order.
            pub const ALL: &'static [Self] = &[$(Self::$variant,)+];

            /// The member whose numeric value is `v`, if there is one.
            pub fn from_i32(v: i32) -> Option<Self> {
                match v {
                    $( $value => Some(Self::$variant), )+
                    _ => None,
                }
            }

            /// The WinRT member name, e.g. `"Unknown"`.
            pub fn name(&self) -> &'static str {
                match self {
                    $( Self::$variant => stringify!($variant), )+
                }
            }
        }

        impl From<$name> for i32 {
            fn from(value: $name) -> i32 {
                value as i32
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.name())
            }
        }
    };
}
