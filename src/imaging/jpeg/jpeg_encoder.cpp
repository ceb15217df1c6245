#include "imaging/jpeg/jpeg_encoder.h"

#include "imaging/jpeg/progressive_encoder.h"

#include <csetjmp>
#include <cstdio>  // jpeglib.h needs FILE
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <stdexcept>

#include <jerror.h>
#include <jpeglib.h>

namespace sy::imaging::detail {
namespace {

struct ErrorMgr {
  jpeg_error_mgr pub;
  std::jmp_buf jump;
  bool out_of_memory;
};

void on_error_exit(j_common_ptr c) {
  auto* e = reinterpret_cast<ErrorMgr*>(c->err);
  e->out_of_memory = c->err->msg_code == JERR_OUT_OF_MEMORY;
  std::longjmp(e->jump, 1);
}

void on_output_message(j_common_ptr) {}

// A plane copied into rows of whole blocks (libjpeg's raw input reads that many columns), the
// last column and row repeated into the padding so edge blocks compress well.
struct Padded {
  std::vector<std::uint8_t> px;
  std::vector<JSAMPROW> rows;
};

Padded pad(const Plane& p, int block_w, int block_h) {
  const int w = (p.width + block_w - 1) / block_w * block_w;
  const int h = (p.height + block_h - 1) / block_h * block_h;
  Padded out;
  out.px.resize(static_cast<std::size_t>(w) * p.height);
  for (int y = 0; y < p.height; ++y) {
    std::uint8_t* r = out.px.data() + static_cast<std::size_t>(y) * w;
    std::memcpy(r, p.row(y), static_cast<std::size_t>(p.width));
    std::memset(r + p.width, r[p.width - 1], static_cast<std::size_t>(w - p.width));
  }
  for (int y = 0; y < h; ++y)
    out.rows.push_back(out.px.data() + static_cast<std::size_t>(std::min(y, p.height - 1)) * w);
  return out;
}

// Everything the protected section touches, outside its stack frame (see jpeg_decoder.cpp).
struct Work {
  jpeg_compress_struct cinfo;
  ErrorMgr err;
  bool created = false;
  unsigned char* out = nullptr;
  unsigned long out_len = 0;
  std::vector<Padded> padded;
};

bool run(Work& w, const Planes& planes, int quality, bool progressive) {
  w.cinfo.err = jpeg_std_error(&w.err.pub);
  w.err.pub.error_exit = on_error_exit;
  w.err.pub.output_message = on_output_message;
  w.err.out_of_memory = false;
  if (setjmp(w.err.jump)) return false;
  jpeg_create_compress(&w.cinfo);
  w.created = true;
  jpeg_mem_dest(&w.cinfo, &w.out, &w.out_len);
  const bool grey = planes.size() == 1;
  w.cinfo.image_width = static_cast<JDIMENSION>(planes[0].width);
  w.cinfo.image_height = static_cast<JDIMENSION>(planes[0].height);
  w.cinfo.input_components = grey ? 1 : 3;
  w.cinfo.in_color_space = grey ? JCS_GRAYSCALE : JCS_YCbCr;
  jpeg_set_defaults(&w.cinfo);  // YCbCr: Y 2x2, Cb and Cr 1x1 (4:2:0)
  jpeg_set_quality(&w.cinfo, quality, TRUE);
  w.cinfo.optimize_coding = TRUE;
  w.cinfo.raw_data_in = TRUE;
  if (progressive) jpeg_simple_progression(&w.cinfo);
  jpeg_start_compress(&w.cinfo, TRUE);

  const int rows_per_call = w.cinfo.max_v_samp_factor * DCTSIZE;
  for (int c = 0; c < w.cinfo.num_components; ++c) {
    const jpeg_component_info& ci = w.cinfo.comp_info[c];
    w.padded.push_back(
        pad(planes[static_cast<std::size_t>(c)], ci.h_samp_factor * DCTSIZE, ci.v_samp_factor * DCTSIZE));
  }
  JSAMPARRAY arrays[3];
  for (int y = 0; w.cinfo.next_scanline < w.cinfo.image_height; y += rows_per_call) {
    for (int c = 0; c < w.cinfo.num_components; ++c) {
      const jpeg_component_info& ci = w.cinfo.comp_info[c];
      arrays[c] = w.padded[static_cast<std::size_t>(c)].rows.data() + y / w.cinfo.max_v_samp_factor * ci.v_samp_factor;
    }
    jpeg_write_raw_data(&w.cinfo, arrays, static_cast<JDIMENSION>(rows_per_call));
  }
  jpeg_finish_compress(&w.cinfo);
  return true;
}

}  // namespace

std::string encode_jpeg_planes(const Planes& planes, int quality, bool progressive) {
  if (progressive && planes.size() == 3) return encode_progressive_420(planes, quality);
  auto w = std::make_unique<Work>();
  const bool ok = run(*w, planes, quality, progressive);
  std::string out;
  if (ok) out.assign(reinterpret_cast<const char*>(w->out), w->out_len);
  const bool oom = w->err.out_of_memory;
  if (w->created) jpeg_destroy_compress(&w->cinfo);
  std::free(w->out);
  if (!ok) {
    if (oom) throw std::bad_alloc();
    throw std::runtime_error("the JPEG encoder failed");
  }
  return out;
}

}  // namespace sy::imaging::detail
