// The loop every element-wise kernel runs in, and the types its kernel structs take, shared by
// the kernel files (simd.cpp, channels.cpp, softmax.cpp). No include guard: compiled once per
// target, inside that target's namespace.

HWY_BEFORE_NAMESPACE();
namespace actfn::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

/// The parameters of a kernel struct's f and df for lanes of D: already in the lanes' type.
template <class D>
using P = fn::Params<hn::TFromD<D>>;

/// The reference's compute type for T data (reference.cpp's Wide), for the lanes a kernel hands
/// to the reference's formulas.
template <class T>
using Wide = std::conditional_t<std::is_same_v<T, float>, double, long double>;

/// Applies op(d, v0, v1) to whole vectors of the inputs (b null: v1 = v0), then to the tail
/// through a zero-filled stack buffer of one vector, so no lane ever reads or writes outside the
/// spans (in place is fine: each vector is loaded before it is stored).
template <class T, class Op>
void for_each_vector(const T* a, const T* b, T* out, std::size_t n, Op op) {
  const hn::ScalableTag<T> d;
  const std::size_t lanes = hn::Lanes(d);
  std::size_t i = 0;
  for (; i + lanes <= n; i += lanes) {
    const auto va = hn::LoadU(d, a + i);
    const auto vb = b ? hn::LoadU(d, b + i) : va;
    hn::StoreU(op(d, va, vb), d, out + i);
  }
  if (i == n) return;
  HWY_ALIGN T ta[HWY_MAX_BYTES / sizeof(T)] = {}, tb[HWY_MAX_BYTES / sizeof(T)] = {};
  const std::size_t rest = n - i;
  std::memcpy(ta, a + i, rest * sizeof(T));
  if (b) std::memcpy(tb, b + i, rest * sizeof(T));
  const auto va = hn::Load(d, ta);
  hn::Store(op(d, va, b ? hn::Load(d, tb) : va), d, ta);
  std::memcpy(out + i, ta, rest * sizeof(T));
}

}  // namespace actfn::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();
