use std::fs::File;
use std::io::{Read, Write};
use std::time::Instant;
fn main() {
    let mib: usize = std::env::var("MIB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256);
    let cap: Option<usize> = std::env::var("CAP").ok().and_then(|v| v.parse().ok());
    let path = std::path::Path::new("/tmp/scratch/read.bin");
    if !path.exists() {
        let mut f = File::create(path).unwrap();
        let block = vec![7u8; 1 << 20];
        for _ in 0..mib {
            f.write_all(&block).unwrap();
        }
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    for bufsize in [256 * 1024, 1024 * 1024] {
        let mut s = vec![];
        for _ in 0..9 {
            let t = Instant::now();
            let mut f = File::open(path).unwrap();
            let mut buf = vec![0u8; bufsize];
            let mut tot = 0;
            loop {
                let n = f.read(&mut buf).unwrap();
                if n == 0 {
                    break;
                }
                tot += n;
            }
            std::hint::black_box(tot);
            s.push(t.elapsed().as_secs_f64());
        }
        s.sort_by(|a, b| a.partial_cmp(b).unwrap());
        println!("std alone buf {}K: {:.1} ms", bufsize / 1024, s[4] * 1e3);
    }
    let mut o = vec![];
    for _ in 0..9 {
        let t = Instant::now();
        rt.block_on(async {
            let f = File::open(path).unwrap();
            let mut f = match cap {
                Some(c) => iocompat::Unblock::with_capacity(c, f),
                None => iocompat::Unblock::new(f),
            };
            let mut tot = 0;
            loop {
                let n = tokio::io::AsyncBufReadExt::fill_buf(&mut f)
                    .await
                    .unwrap()
                    .len();
                if n == 0 {
                    break;
                }
                tot += n;
                tokio::io::AsyncBufRead::consume(std::pin::Pin::new(&mut f), n);
            }
            std::hint::black_box(tot);
        });
        o.push(t.elapsed().as_secs_f64());
    }
    o.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!("ours fill_buf/consume no copy: {:.1} ms", o[4] * 1e3);
    for bufsize in [64 * 1024, 8 * 1024] {
        let mut s = vec![];
        let mut o = vec![];
        for _ in 0..9 {
            let t = Instant::now();
            let mut f = File::open(path).unwrap();
            let mut buf = vec![0u8; bufsize];
            let mut tot = 0;
            loop {
                let n = f.read(&mut buf).unwrap();
                if n == 0 {
                    break;
                }
                tot += n;
            }
            std::hint::black_box(tot);
            s.push(t.elapsed().as_secs_f64());
            let t = Instant::now();
            rt.block_on(async {
                let f = File::open(path).unwrap();
                let mut f = match cap {
                    Some(c) => iocompat::Unblock::with_capacity(c, f),
                    None => iocompat::Unblock::new(f),
                };
                let mut buf = vec![0u8; bufsize];
                let mut tot = 0;
                loop {
                    let n = tokio::io::AsyncReadExt::read(&mut f, &mut buf)
                        .await
                        .unwrap();
                    if n == 0 {
                        break;
                    }
                    tot += n;
                }
                std::hint::black_box(tot);
            });
            o.push(t.elapsed().as_secs_f64());
        }
        s.sort_by(|a, b| a.partial_cmp(b).unwrap());
        o.sort_by(|a, b| a.partial_cmp(b).unwrap());
        println!(
            "buf {:>3}K: std {:.1} ms ours {:.1} ms ratio(std/ours) {:.2}",
            bufsize / 1024,
            s[4] * 1e3,
            o[4] * 1e3,
            s[4] / o[4]
        );
    }
}
