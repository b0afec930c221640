// Workgroup tree reduction shared by the reductions (moments, covariance).
// Needs the stage's `override WG` (a power of two); declares `scratch`, which
// a stage may reuse between calls (moments' argmin does).

var<workgroup> scratch: array<f32, WG>;

// Sum of `v` over the workgroup, returned to every invocation. Call from
// uniform control flow (it holds barriers).
fn workgroup_sum(lid: u32, v: f32) -> f32 {
  scratch[lid] = v;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s = s >> 1u) {
    if (lid < s) {
      scratch[lid] += scratch[lid + s];
    }
    workgroupBarrier();
  }
  let total = scratch[0];
  workgroupBarrier();
  return total;
}
