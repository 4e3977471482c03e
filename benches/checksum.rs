//! Criterion benchmark of `checksum::Hasher` over 64 MiB for every algorithm S3 accepts,
//! beside a plain copy of the same bytes (the floor any upload pays): the throughput an
//! S3 upload with a checksum can reach at most. The crate choice behind the CRCs is
//! explained, with figures, in `src/checksum.rs`.

use amzsig::checksum::{ChecksumAlgorithm, Hasher};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;

const LEN: usize = 64 << 20;

fn data() -> Vec<u8> {
    (0..LEN).map(|i| (i.wrapping_mul(2_654_435_761) >> 13).to_le_bytes()[0]).collect()
}

fn checksums(c: &mut Criterion) {
    let data = data();
    let mut group = c.benchmark_group("checksum_64MiB");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(LEN as u64));
    group.bench_function("copy (baseline)", |b| {
        let mut out = vec![0u8; LEN];
        b.iter(|| {
            out.copy_from_slice(black_box(&data));
            black_box(out[LEN - 1])
        });
    });
    for alg in ChecksumAlgorithm::ALL {
        group.bench_function(alg.name(), |b| {
            b.iter(|| {
                // fed in 1 MiB pieces, as botocore reads a body
                let mut h = Hasher::new(alg);
                for piece in black_box(&data).chunks(1 << 20) {
                    h.update(piece);
                }
                h.finish()
            });
        });
    }
    group.finish();
}

criterion_group!(benches, checksums);
criterion_main!(benches);
