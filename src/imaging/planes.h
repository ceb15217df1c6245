#pragma once
// 8-bit image planes, one colour component each, and the few operations the JPEG fast path needs.
// A JPEG stays in Y/Cb/Cr planes from decode to encode: no chroma upsampling, no colour
// conversion and back, and chroma is resized from its own resolution straight to the output's.
#include <cstdint>
#include <memory>
#include <new>
#include <utility>
#include <vector>

namespace sy::imaging::detail {

// Leaves new elements uninitialised: every plane is written in full before it is read, and
// zero-filling megabytes per image showed up in profiles.
template <typename T>
struct Uninitialised : std::allocator<T> {
  template <typename U>
  struct rebind {
    using other = Uninitialised<U>;
  };
  using std::allocator<T>::allocator;
  template <typename U>
  void construct(U* p) noexcept {
    ::new (static_cast<void*>(p)) U;
  }
  template <typename U, typename... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};

struct Plane {
  int width = 0;
  int height = 0;
  int stride = 0;  // bytes from one row to the next (>= width)
  std::vector<std::uint8_t, Uninitialised<std::uint8_t>> px;

  Plane() = default;
  Plane(int w, int h, int row_bytes = 0)
      : width(w), height(h), stride(row_bytes > 0 ? row_bytes : w), px(static_cast<std::size_t>(stride) * h) {}
  std::uint8_t* row(int y) { return px.data() + static_cast<std::size_t>(y) * stride; }
  const std::uint8_t* row(int y) const { return px.data() + static_cast<std::size_t>(y) * stride; }
};

// Lanczos3 to exactly w x h (integer weights, so the same bytes on every CPU). Enlarging is
// only ever by rounding (chroma of odd sizes) or for chroma upsampling to RGB.
Plane resize(const Plane& in, int w, int h);
Plane transpose(const Plane& in);
void flip_horizontal(Plane& p);
void flip_vertical(Plane& p);
// EXIF orientation 1-8 applied, so the result is upright.
Plane orient(Plane p, int orientation);

// Y (w x h) plus Cb, Cr of (w+1)/2 x (h+1)/2 — or one grey plane — as the output JPEG holds them.
using Planes = std::vector<Plane>;
Planes resize_planes(const Planes& in, int w, int h);
Planes orient_planes(Planes in, int orientation);

// Interleaved 8-bit RGB (or grey) of planes[0]'s size; JFIF YCbCr, chroma upsampled with Lanczos3.
std::vector<std::uint8_t> to_interleaved(const Planes& planes);

}  // namespace sy::imaging::detail
