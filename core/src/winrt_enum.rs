//! `winrt_enum!`: declares a WinRT enumeration (explicit values) and gives it the same small API
//! everywhere, so every projection and test can enumerate and name members — and so
//! [`crate::projection`] can list it for the generator that writes the C, C++ and Python enums.

/// Declares a WinRT enum with `ALL`, `MEMBERS`, `TYPE_NAME`, `DOC`, `FLAGS`, `from_i32`, `name`, `Display`
/// and `From<_>` for its integer type. `pub enum Name { .. }` is an `i32` enum;
/// `pub enum Name: u32 { .. }` is a flags enum (WinRT declares flags as `UInt32`).
/// The caller writes the derives (and `#[default]`) as usual; the first paragraph of the enum's and
/// each member's `///` text is what the projections' docs say.
macro_rules! winrt_enum {
    (
        $(#[$($meta:tt)*])*
        pub enum $name:ident { $($body:tt)* }
    ) => {
        winrt_enum!(@impl i32, false, [$(#[$($meta)*])*] $name { $($body)* });
    };
    (
        $(#[$($meta:tt)*])*
        pub enum $name:ident : u32 { $($body:tt)* }
    ) => {
        winrt_enum!(@impl u32, true, [$(#[$($meta)*])*] $name { $($body)* });
    };
    (
        @impl $repr:ident, $flags:literal, [$(#[$($meta:tt)*])*] $name:ident {
            $( $(#[$($vmeta:tt)*])* $variant:ident = $value:literal, )+
        }
    ) => {
        $(#[$($meta)*])*
        #[repr($repr)]
        pub enum $name {
            $( $(#[$($vmeta)*])* $variant = $value, )+
        }

        impl $name {
            /// Every member, in declaration (ascending numeric) order.
            pub const ALL: &'static [Self] = &[$(Self::$variant,)+];

            /// Every member's name, value and doc text, in declaration order.
            #[doc(hidden)]
            pub const MEMBERS: &'static [$crate::projection::EnumMember] = &[$(
                $crate::projection::EnumMember {
                    name: stringify!($variant),
                    value: $value,
                    doc: winrt_doc!($([$($vmeta)*])*),
                },
            )+];

            /// The WinRT type name, e.g. `"SocketErrorStatus"`.
            #[doc(hidden)]
            pub const TYPE_NAME: &'static str = stringify!($name);

            /// The enum's doc text.
            #[doc(hidden)]
            pub const DOC: &'static str = winrt_doc!($([$($meta)*])*);

            /// Whether this is a flags enum (`UInt32`, members combine with `|`).
            #[doc(hidden)]
            pub const FLAGS: bool = $flags;

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

        impl From<$name> for $repr {
            fn from(value: $name) -> $repr {
                value as $repr
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.name())
            }
        }
    };
}

/// The doc text among bracketed attribute bodies: every `#[doc = "..."]` line, each followed by
/// a newline (`""` when there is none).
macro_rules! winrt_doc {
    (@acc [$($acc:tt)*]) => {
        concat!($($acc)*)
    };
    (@acc [$($acc:tt)*] [doc = $doc:literal] $($rest:tt)*) => {
        winrt_doc!(@acc [$($acc)* $doc, "\n",] $($rest)*)
    };
    (@acc [$($acc:tt)*] [$($other:tt)*] $($rest:tt)*) => {
        winrt_doc!(@acc [$($acc)*] $($rest)*)
    };
    ($($attrs:tt)*) => {
        winrt_doc!(@acc [] $($attrs)*)
    };
}
