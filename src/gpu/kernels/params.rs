//! Rust mirrors of the WGSL uniform structs: each shader's `struct Params` (binding 0) and
//! the `struct Step` that attention.wgsl, rank.wgsl and rows.wgsl share (binding 1). Same
//! field names, types and order as the WGSL, padding fields included, so the bytes written
//! are the bytes the kernel reads; the test below checks each layout against the shader
//! source the kernels compile.

use bytemuck::{Pod, Zeroable};

/// embed.wgsl: `rows` token ids to rows of `d` values from a `vocab`-row table.
#[repr(C)]
#[derive(Clone, Copy, Debug, Pod, Zeroable)]
pub struct EmbedParams {
    pub rows: u32,
    pub d: u32,
    pub vocab: u32,
    pub pad: u32,
}

/// rms_norm.wgsl: `rows` rows of `d` values.
#[repr(C)]
#[derive(Clone, Copy, Debug, Pod, Zeroable)]
pub struct RmsNormParams {
    pub rows: u32,
    pub d: u32,
    pub eps: f32,
    pub pad: u32,
}

/// matmul.wgsl: y (m, n) = (norm?(x) · x_scale) (m, k) · wᵀ, written, relu'd, added or
/// split into q and the k/v caches by `mode` (its comments say what each field selects).
#[repr(C)]
#[derive(Clone, Copy, Debug, Pod, Zeroable)]
pub struct MatmulParams {
    pub m: u32,
    pub n: u32,
    pub k: u32,
    pub mode: u32,
    pub x_scale: f32,
    pub eps: f32,
    pub use_norm: u32,
    pub col0: u32,
    pub split: u32,
    pub lq: u32,
    pub cap: u32,
    pub pad0: u32,
}

/// attention.wgsl (its comments say what each field selects).
#[repr(C)]
#[derive(Clone, Copy, Debug, Pod, Zeroable)]
pub struct AttentionParams {
    pub heads: u32,
    pub dkv: u32,
    pub inner: u32,
    pub lq: u32,
    pub kv_row_div: u32,
    pub kv_row_stride: u32,
    pub static_keys: u32,
    pub causal: u32,
    pub use_bias: u32,
    pub bucket_center: u32,
    pub use_mask: u32,
    pub mask_row_stride: u32,
    pub scores_stride: u32,
    pub pad0: u32,
    pub pad1: u32,
    pub pad2: u32,
}

/// rank.wgsl: each row's `k` best of `vocab` logits.
#[repr(C)]
#[derive(Clone, Copy, Debug, Pod, Zeroable)]
pub struct RankParams {
    pub vocab: u32,
    pub k: u32,
    pub pad0: u32,
    pub pad1: u32,
}

/// rows.wgsl: `rows` rows of `lq` positions of `inner` values. `capacity` is the positions
/// per row of the cache gather_rows reads; `dst_capacity` of the rows it writes.
#[repr(C)]
#[derive(Clone, Copy, Debug, Pod, Zeroable)]
pub struct RowsParams {
    pub rows: u32,
    pub lq: u32,
    pub inner: u32,
    pub capacity: u32,
    pub dst_capacity: u32,
    pub pad0: u32,
    pub pad1: u32,
    pub pad2: u32,
}

/// The step uniform: what changes between decode steps without re-recording them (the
/// position of the new tokens, the token ranking skips).
#[repr(C)]
#[derive(Clone, Copy, Debug, Pod, Zeroable)]
pub struct Step {
    pub pos: u32,
    pub banned: u32,
    pub pad0: u32,
    pub pad1: u32,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gpu::kernels::{
        ATTENTION_WGSL, EMBED_WGSL, MATMUL_WGSL, RANK_WGSL, RMS_NORM_WGSL, ROWS_WGSL,
    };
    use naga::{AddressSpace, Scalar, TypeInner};
    use std::mem::{offset_of, size_of, size_of_val};

    /// A Rust struct's layout: its size and (field, byte offset, WGSL scalar type) by offset.
    #[derive(Debug)]
    struct Layout {
        size: usize,
        fields: Vec<(String, usize, Scalar)>,
    }

    trait WgslScalar {
        const SCALAR: Scalar;
    }
    impl WgslScalar for u32 {
        const SCALAR: Scalar = Scalar::U32;
    }
    impl WgslScalar for f32 {
        const SCALAR: Scalar = Scalar::F32;
    }
    fn scalar_of<T: WgslScalar>(_: &T) -> Scalar {
        T::SCALAR
    }

    /// `layout!(S { a, b })`: S's layout from the listed fields, which must be all of them.
    macro_rules! layout {
        ($s:ident { $($f:ident),* $(,)? }) => {{
            let value = <$s as Zeroable>::zeroed();
            let mut fields = vec![$(
                (stringify!($f).to_string(), offset_of!($s, $f), scalar_of(&value.$f)),
            )*];
            fields.sort_by_key(|f| f.1);
            // Pod rules out implicit padding, so the listed fields fill the struct exactly
            // when none is missing.
            assert_eq!(
                0 $(+ size_of_val(&value.$f))*,
                size_of::<$s>(),
                "layout!({}) does not list every field",
                stringify!($s)
            );
            Layout { size: size_of::<$s>(), fields }
        }};
    }

    /// The layout of the WGSL struct `name` in a parsed shader.
    fn wgsl_layout(module: &naga::Module, name: &str) -> Option<Layout> {
        module.types.iter().find_map(|(_, ty)| match &ty.inner {
            TypeInner::Struct { members, span } if ty.name.as_deref() == Some(name) => {
                Some(Layout {
                    size: *span as usize,
                    fields: members
                        .iter()
                        .map(|m| {
                            let scalar = match module.types[m.ty].inner {
                                TypeInner::Scalar(s) => s,
                                ref other => panic!("{name}: {:?} is a {other:?}", m.name),
                            };
                            (
                                m.name.clone().unwrap_or_default(),
                                m.offset as usize,
                                scalar,
                            )
                        })
                        .collect(),
                })
            }
            _ => None,
        })
    }

    /// Every uniform struct of every shader against its Rust mirror: size, and each field's
    /// name, offset and type. A shader with a uniform struct not listed here fails too.
    #[test]
    fn params_structs_mirror_the_wgsl_layouts() {
        let step = || {
            layout!(Step {
                pos,
                banned,
                pad0,
                pad1
            })
        };
        let shaders = [
            (
                "embed.wgsl",
                EMBED_WGSL,
                vec![(
                    "Params",
                    layout!(EmbedParams {
                        rows,
                        d,
                        vocab,
                        pad
                    }),
                )],
            ),
            (
                "rms_norm.wgsl",
                RMS_NORM_WGSL,
                vec![("Params", layout!(RmsNormParams { rows, d, eps, pad }))],
            ),
            (
                "matmul.wgsl",
                MATMUL_WGSL,
                vec![
                    (
                        "Params",
                        layout!(MatmulParams {
                            m,
                            n,
                            k,
                            mode,
                            x_scale,
                            eps,
                            use_norm,
                            col0,
                            split,
                            lq,
                            cap,
                            pad0,
                        }),
                    ),
                    ("Step", step()),
                ],
            ),
            (
                "attention.wgsl",
                ATTENTION_WGSL,
                vec![
                    (
                        "Params",
                        layout!(AttentionParams {
                            heads,
                            dkv,
                            inner,
                            lq,
                            kv_row_div,
                            kv_row_stride,
                            static_keys,
                            causal,
                            use_bias,
                            bucket_center,
                            use_mask,
                            mask_row_stride,
                            scores_stride,
                            pad0,
                            pad1,
                            pad2,
                        }),
                    ),
                    ("Step", step()),
                ],
            ),
            (
                "rank.wgsl",
                RANK_WGSL,
                vec![
                    (
                        "Params",
                        layout!(RankParams {
                            vocab,
                            k,
                            pad0,
                            pad1
                        }),
                    ),
                    ("Step", step()),
                ],
            ),
            (
                "rows.wgsl",
                ROWS_WGSL,
                vec![(
                    "Params",
                    layout!(RowsParams {
                        rows,
                        lq,
                        inner,
                        capacity,
                        dst_capacity,
                        pad0,
                        pad1,
                        pad2,
                    }),
                )],
            ),
        ];
        for (file, source, mirrors) in &shaders {
            let module = naga::front::wgsl::parse_str(source)
                .unwrap_or_else(|e| panic!("{file}: {}", e.emit_to_string(source)));
            for (_, var) in module.global_variables.iter() {
                if var.space == AddressSpace::Uniform {
                    let ty = module.types[var.ty].name.as_deref().unwrap_or_default();
                    assert!(
                        mirrors.iter().any(|(name, _)| *name == ty),
                        "{file}: uniform struct {ty} has no Rust mirror checked here"
                    );
                }
            }
            for (name, rust) in mirrors {
                let wgsl = wgsl_layout(&module, name)
                    .unwrap_or_else(|| panic!("{file} has no struct {name}"));
                assert_eq!(rust.size, wgsl.size, "{file} {name}: size");
                assert_eq!(rust.fields, wgsl.fields, "{file} {name}: fields");
            }
        }
        // Every shader the kernels compile is checked above.
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/gpu/shaders");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".wgsl"))
            .collect();
        on_disk.sort();
        let mut checked: Vec<String> = shaders.iter().map(|s| s.0.to_string()).collect();
        checked.sort();
        assert_eq!(checked, on_disk, "shaders with unchecked parameter structs");
    }
}
