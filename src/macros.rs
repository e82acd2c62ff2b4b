//! `cfg` helpers: each feature-gated item also gets its `doc(cfg)` badge on docs.rs.

/// Items compiled only with the `tokio` feature.
#[allow(unused_macros)]
macro_rules! cfg_tokio {
    ($($item:item)*) => {
        $(
            #[cfg(feature = "tokio")]
            #[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
            $item
        )*
    };
}

/// Items compiled only with the `futures-io` feature.
#[allow(unused_macros)]
macro_rules! cfg_futures_io {
    ($($item:item)*) => {
        $(
            #[cfg(feature = "futures-io")]
            #[cfg_attr(docsrs, doc(cfg(feature = "futures-io")))]
            $item
        )*
    };
}

/// Items compiled only with the `futures01` feature.
#[allow(unused_macros)]
macro_rules! cfg_futures01 {
    ($($item:item)*) => {
        $(
            #[cfg(feature = "futures01")]
            #[cfg_attr(docsrs, doc(cfg(feature = "futures01")))]
            $item
        )*
    };
}

/// Items compiled only with the `tokio01` feature.
#[allow(unused_macros)]
macro_rules! cfg_tokio01 {
    ($($item:item)*) => {
        $(
            #[cfg(feature = "tokio01")]
            #[cfg_attr(docsrs, doc(cfg(feature = "tokio01")))]
            $item
        )*
    };
}

/// Items compiled only with both the `tokio` and `futures-io` features (the two trait families
/// a `Compat` converts between).
#[allow(unused_macros)]
macro_rules! cfg_tokio_and_futures_io {
    ($($item:item)*) => {
        $(
            #[cfg(all(feature = "tokio", feature = "futures-io"))]
            #[cfg_attr(docsrs, doc(cfg(all(feature = "tokio", feature = "futures-io"))))]
            $item
        )*
    };
}
