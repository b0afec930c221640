// Test kernel: copy every field of a generated uniform struct, by name, to a
// storage array. Prepended by the test: the struct declarations and a
// `copy_fields` function written from the layout table.

@group(0) @binding(0) var<storage, read_write> out: array<u32>;

@compute @workgroup_size(1)
fn main() {
  copy_fields();
}
