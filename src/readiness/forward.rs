//! [`forward_io!`]: the tokio and futures-io faces of a type that holds another adapter and
//! forwards every call to it ([`AutoIo`](super::AutoIo) and the stdio handles), written once.

/// Implements the read (`read`: `AsyncRead` + `AsyncBufRead`) or write (`write`:
/// `AsyncWrite`) traits of both families for `$ty`, each method one call of the same method
/// on the adapter that `$via!(self, io => call)` pins as `io` (a macro of the caller's, so
/// that `AutoIo` can dispatch on its two paths and a stdio handle can project its field).
macro_rules! forward_io {
    (read, [$($bounds:tt)*] $ty:ty, $via:ident) => {
        cfg_tokio! {
            impl<$($bounds)*> tokio::io::AsyncRead for $ty {
                fn poll_read(
                    self: std::pin::Pin<&mut Self>,
                    cx: &mut std::task::Context<'_>,
                    buf: &mut tokio::io::ReadBuf<'_>,
                ) -> std::task::Poll<std::io::Result<()>> {
                    $via!(self, io => tokio::io::AsyncRead::poll_read(io, cx, buf))
                }
            }

            impl<$($bounds)*> tokio::io::AsyncBufRead for $ty {
                fn poll_fill_buf(
                    self: std::pin::Pin<&mut Self>,
                    cx: &mut std::task::Context<'_>,
                ) -> std::task::Poll<std::io::Result<&[u8]>> {
                    $via!(self, io => tokio::io::AsyncBufRead::poll_fill_buf(io, cx))
                }
                fn consume(self: std::pin::Pin<&mut Self>, amt: usize) {
                    $via!(self, io => tokio::io::AsyncBufRead::consume(io, amt))
                }
            }
        }

        cfg_futures_io! {
            impl<$($bounds)*> futures_io::AsyncRead for $ty {
                fn poll_read(
                    self: std::pin::Pin<&mut Self>,
                    cx: &mut std::task::Context<'_>,
                    buf: &mut [u8],
                ) -> std::task::Poll<std::io::Result<usize>> {
                    $via!(self, io => futures_io::AsyncRead::poll_read(io, cx, buf))
                }
            }

            impl<$($bounds)*> futures_io::AsyncBufRead for $ty {
                fn poll_fill_buf(
                    self: std::pin::Pin<&mut Self>,
                    cx: &mut std::task::Context<'_>,
                ) -> std::task::Poll<std::io::Result<&[u8]>> {
                    $via!(self, io => futures_io::AsyncBufRead::poll_fill_buf(io, cx))
                }
                fn consume(self: std::pin::Pin<&mut Self>, amt: usize) {
                    $via!(self, io => futures_io::AsyncBufRead::consume(io, amt))
                }
            }
        }
    };
    (write, [$($bounds:tt)*] $ty:ty, $via:ident) => {
        cfg_tokio! {
            impl<$($bounds)*> tokio::io::AsyncWrite for $ty {
                fn poll_write(
                    self: std::pin::Pin<&mut Self>,
                    cx: &mut std::task::Context<'_>,
                    buf: &[u8],
                ) -> std::task::Poll<std::io::Result<usize>> {
                    $via!(self, io => tokio::io::AsyncWrite::poll_write(io, cx, buf))
                }
                fn poll_write_vectored(
                    self: std::pin::Pin<&mut Self>,
                    cx: &mut std::task::Context<'_>,
                    bufs: &[std::io::IoSlice<'_>],
                ) -> std::task::Poll<std::io::Result<usize>> {
                    $via!(self, io => tokio::io::AsyncWrite::poll_write_vectored(io, cx, bufs))
                }
                /// Both adapters inside write vectors whole.
                fn is_write_vectored(&self) -> bool {
                    true
                }
                fn poll_flush(
                    self: std::pin::Pin<&mut Self>,
                    cx: &mut std::task::Context<'_>,
                ) -> std::task::Poll<std::io::Result<()>> {
                    $via!(self, io => tokio::io::AsyncWrite::poll_flush(io, cx))
                }
                fn poll_shutdown(
                    self: std::pin::Pin<&mut Self>,
                    cx: &mut std::task::Context<'_>,
                ) -> std::task::Poll<std::io::Result<()>> {
                    $via!(self, io => tokio::io::AsyncWrite::poll_shutdown(io, cx))
                }
            }
        }

        cfg_futures_io! {
            impl<$($bounds)*> futures_io::AsyncWrite for $ty {
                fn poll_write(
                    self: std::pin::Pin<&mut Self>,
                    cx: &mut std::task::Context<'_>,
                    buf: &[u8],
                ) -> std::task::Poll<std::io::Result<usize>> {
                    $via!(self, io => futures_io::AsyncWrite::poll_write(io, cx, buf))
                }
                fn poll_write_vectored(
                    self: std::pin::Pin<&mut Self>,
                    cx: &mut std::task::Context<'_>,
                    bufs: &[std::io::IoSlice<'_>],
                ) -> std::task::Poll<std::io::Result<usize>> {
                    $via!(self, io => futures_io::AsyncWrite::poll_write_vectored(io, cx, bufs))
                }
                fn poll_flush(
                    self: std::pin::Pin<&mut Self>,
                    cx: &mut std::task::Context<'_>,
                ) -> std::task::Poll<std::io::Result<()>> {
                    $via!(self, io => futures_io::AsyncWrite::poll_flush(io, cx))
                }
                fn poll_close(
                    self: std::pin::Pin<&mut Self>,
                    cx: &mut std::task::Context<'_>,
                ) -> std::task::Poll<std::io::Result<()>> {
                    $via!(self, io => futures_io::AsyncWrite::poll_close(io, cx))
                }
            }
        }
    };
}
