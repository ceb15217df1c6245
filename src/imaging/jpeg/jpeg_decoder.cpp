#include "imaging/jpeg/jpeg_decoder.h"

#include <algorithm>
#include <csetjmp>
#include <cstdio>  // jpeglib.h needs FILE
#include <cstring>

#include <jerror.h>
#include <jpeglib.h>

#include "imaging/exif.h"
#include "imaging/jpeg/idct.h"
#include "imaging/jpeg/progressive_decoder.h"

namespace sy::imaging::detail {
namespace {

// libjpeg-turbo's own advice (TJFLAG_LIMITSCANS): real progressive files have about ten scans;
// thousands of tiny scans are a CPU-exhaustion trick.
constexpr int kMaxScans = 500;

// Above this, a single-scan JPEG is decoded row by row rather than through its coefficients.
constexpr std::int64_t kMaxBaselineCoefficients = 64ll << 20;

enum class Stop { none, corrupt, out_of_memory, timeout, too_many_scans, too_many_pixels, over_budget };

struct ErrorMgr {
  jpeg_error_mgr pub;
  std::jmp_buf jump;
  Stop stop;
  char message[JMSG_LENGTH_MAX];  // libjpeg's own words for a corrupt file, safe to show
};

struct ProgressMgr {
  jpeg_progress_mgr pub;
  const Deadline* deadline;
};

// Everything the protected section touches lives here, outside its stack frame, so its state is
// well defined after a longjmp (no C++ object with a destructor is skipped either).
struct Work {
  jpeg_decompress_struct cinfo;
  ErrorMgr err;
  ProgressMgr progress;
  bool created = false;
  unsigned char* pixels = nullptr;
  JOCTET* icc = nullptr;
  unsigned int icc_len = 0;
  int orientation = 1;
  int bands = 0;
  bool cmyk = false;
  Planes planes;
  std::vector<JSAMPROW> plane_rows[MAX_COMPONENTS];
  ProgressiveResult progressive;
  std::int64_t need_bytes = 0;
};

[[noreturn]] void bail(j_common_ptr c, Stop why) {
  auto* e = reinterpret_cast<ErrorMgr*>(c->err);
  e->stop = why;
  if (why == Stop::corrupt) (*c->err->format_message)(c, e->message);
  std::longjmp(e->jump, 1);
}

void on_error_exit(j_common_ptr c) {
  int code = c->err->msg_code;
  if (code == JERR_IMAGE_TOO_BIG) bail(c, Stop::too_many_pixels);  // above libjpeg's 65500 limit
  bail(c, code == JERR_OUT_OF_MEMORY || code == JERR_NO_BACKING_STORE ? Stop::out_of_memory : Stop::corrupt);
}

// Warnings that lose pixels (truncation, bad entropy data) fail the decode: libjpeg would
// otherwise fill the rest with grey. The remaining ones leave the picture intact.
bool harmless_warning(int code) {
  return code == JWRN_EXTRANEOUS_DATA || code == JWRN_JFIF_MAJOR || code == JWRN_ADOBE_XFORM || code == JWRN_BOGUS_ICC;
}

void on_emit_message(j_common_ptr c, int level) {
  if (level >= 0) return;  // trace output
  if (!harmless_warning(c->err->msg_code)) bail(c, Stop::corrupt);
  c->err->num_warnings++;
}

void on_output_message(j_common_ptr) {}

void on_progress(j_common_ptr c) {
  auto* d = reinterpret_cast<j_decompress_ptr>(c);
  if (d->input_scan_number > kMaxScans) bail(c, Stop::too_many_scans);
  if (reinterpret_cast<ProgressMgr*>(c->progress)->deadline->passed()) bail(c, Stop::timeout);
}

// Bytes libjpeg allocates for the whole-image coefficient buffer of a multi-scan file.
std::int64_t coefficient_bytes(const jpeg_decompress_struct& ci) {
  std::int64_t total = 0;
  for (int i = 0; i < ci.num_components; ++i) {
    const jpeg_component_info& c = ci.comp_info[i];
    std::int64_t cols = (c.width_in_blocks + c.h_samp_factor - 1) / c.h_samp_factor * c.h_samp_factor;
    std::int64_t rows = (c.height_in_blocks + c.v_samp_factor - 1) / c.v_samp_factor * c.v_samp_factor;
    total += cols * rows * DCTSIZE2 * static_cast<std::int64_t>(sizeof(JCOEF));
  }
  return total;
}

ProgressiveFrame frame_of(const jpeg_decompress_struct& ci) {
  ProgressiveFrame frame{static_cast<int>(ci.image_width), static_cast<int>(ci.image_height), {}};
  for (int c = 0; c < ci.num_components; ++c)
    frame.components.push_back({ci.comp_info[c].component_id, ci.comp_info[c].h_samp_factor,
                                ci.comp_info[c].v_samp_factor, ci.comp_info[c].quant_tbl_no});
  return frame;
}

void read_metadata(Work& w) {
  for (jpeg_saved_marker_ptr m = w.cinfo.marker_list; m; m = m->next)
    if (m->marker == JPEG_APP0 + 1 && m->data_length >= 6 && std::memcmp(m->data, "Exif\0\0", 6) == 0) {
      w.orientation = exif_orientation(m->data, m->data_length);
      break;
    }
  if (!jpeg_read_icc_profile(&w.cinfo, &w.icc, &w.icc_len)) {
    w.icc = nullptr;
    w.icc_len = 0;
  }
}

// The smallest M/8 whose long edge is the target exactly, or at least 10% above it: a
// Lanczos step of 0.9-1.0 mostly shifts pixels by fractions and blurs (measured SSIM loss on
// 2572 -> 1608 -> 1600), while a real reduction keeps detail.
void choose_scale(jpeg_decompress_struct& ci, int target) {
  for (unsigned m = 1; m <= 8; ++m) {
    ci.scale_num = m;
    ci.scale_denom = 8;
    jpeg_calc_output_dimensions(&ci);
    auto edge = static_cast<std::int64_t>(std::max(ci.output_width, ci.output_height));
    if (target > 0 && (edge == target || edge * 10 >= target * 11)) return;
  }
}

// Whole-image coefficients (libjpeg's entropy decoder), then our own scaled IDCT per component:
// every plane comes out at the same n/8 of its own resolution, so 4:2:0 chroma stays at half
// size, where libjpeg would IDCT it at twice the scale to save itself an upsampling step.
Stop read_coefficient_planes(Work& w, const JpegLimits& lim, const std::string& bytes) {
  jpeg_decompress_struct& ci = w.cinfo;
  // Each plane only needs to be as large as its part of the output: chroma of a 4:4:4 file
  // goes to half the luma size, so its IDCT can stop at about half the luma's n.
  int scale[MAX_COMPONENTS];
  for (int c = 0; c < ci.num_components; ++c) {
    const jpeg_component_info& cp = ci.comp_info[c];
    const int luma = static_cast<int>(ci.scale_num);
    auto enough = [&](int max_samp, int samp) { return (luma * max_samp + 2 * samp - 1) / (2 * samp); };
    scale[c] = c == 0 || ci.num_components != 3
                   ? luma
                   : std::min(luma, std::max(enough(ci.max_h_samp_factor, cp.h_samp_factor),
                                             enough(ci.max_v_samp_factor, cp.v_samp_factor)));
    const int n = scale[c];
    auto scaled = [&](JDIMENSION size, int samp, int max_samp) {
      std::int64_t d = static_cast<std::int64_t>(max_samp) * DCTSIZE;
      return static_cast<int>((static_cast<std::int64_t>(size) * samp * n + d - 1) / d);
    };
    Plane p(scaled(ci.image_width, cp.h_samp_factor, ci.max_h_samp_factor),
            scaled(ci.image_height, cp.v_samp_factor, ci.max_v_samp_factor), static_cast<int>(cp.width_in_blocks) * n);
    p.px.resize(static_cast<std::size_t>(p.stride) * cp.height_in_blocks * static_cast<std::size_t>(n));
    w.planes.push_back(std::move(p));
  }

  if (ci.progressive_mode && !ci.arith_code) {  // our own entropy decoder (progressive.h)
    w.progressive = decode_progressive(bytes, frame_of(ci), kMaxScans, lim.deadline);
    if (w.progressive.status == ProgressiveStatus::timeout) return Stop::timeout;
    if (w.progressive.status != ProgressiveStatus::ok) {
      std::snprintf(w.err.message, sizeof w.err.message, "%s", w.progressive.detail.c_str());
      return Stop::corrupt;
    }
    for (int c = 0; c < ci.num_components; ++c) {
      ComponentCoefficients& cc = w.progressive.components[static_cast<std::size_t>(c)];
      if (cc.blocks_w != static_cast<int>(ci.comp_info[c].width_in_blocks) ||
          cc.blocks_h != static_cast<int>(ci.comp_info[c].height_in_blocks))
        return Stop::corrupt;
      Plane& p = w.planes[static_cast<std::size_t>(c)];
      const int n = scale[c];
      for (int by = 0; by < cc.blocks_h; ++by) {
        if ((by & 15) == 0 && lim.deadline.passed()) return Stop::timeout;
        std::uint8_t* out = p.row(by * n);
        for (int bx = 0; bx < cc.blocks_w; ++bx) {
          std::int16_t* block = cc.block(bx, by);
          block[0] = cc.dc[cc.index(bx, by)];
          idct_scaled(block, cc.quant.data(), n, out + static_cast<std::size_t>(bx) * n, p.stride);
        }
      }
    }
    return Stop::none;
  }

  jvirt_barray_ptr* coefs = jpeg_read_coefficients(&ci);
  for (int c = 0; c < ci.num_components; ++c) {
    const jpeg_component_info& cp = ci.comp_info[c];
    if (!cp.quant_table) return Stop::corrupt;
    const UINT16* quant = cp.quant_table->quantval;
    Plane& p = w.planes[static_cast<std::size_t>(c)];
    const int n = scale[c];
    for (JDIMENSION by = 0; by < cp.height_in_blocks; ++by) {
      if ((by & 15) == 0 && lim.deadline.passed()) return Stop::timeout;
      JBLOCKARRAY row = (*ci.mem->access_virt_barray)(reinterpret_cast<j_common_ptr>(&ci), coefs[c], by, 1, FALSE);
      std::uint8_t* out = p.row(static_cast<int>(by) * n);
      for (JDIMENSION bx = 0; bx < cp.width_in_blocks; ++bx)
        idct_scaled(row[0][bx], quant, n, out + static_cast<std::size_t>(bx) * n, p.stride);
    }
  }
  return Stop::none;
}

// Raw (planar) output: each component at its own scaled size, whole iMCU rows at a time.
Stop read_planes(Work& w, const JpegLimits& lim) {
  jpeg_start_decompress(&w.cinfo);
  jpeg_decompress_struct& ci = w.cinfo;
  const int n = ci.num_components;
  const auto imcu_rows = static_cast<int>(ci.total_iMCU_rows);
  for (int c = 0; c < n; ++c) {
    const jpeg_component_info& cp = ci.comp_info[c];
    const int rows = cp.v_samp_factor * cp.DCT_scaled_size;  // per iMCU row
    Plane p(static_cast<int>(cp.downsampled_width), static_cast<int>(cp.downsampled_height),
            static_cast<int>(cp.width_in_blocks) * cp.DCT_scaled_size);
    p.px.resize(static_cast<std::size_t>(p.stride) * static_cast<std::size_t>(imcu_rows * rows));
    w.planes.push_back(std::move(p));
  }
  JSAMPARRAY arrays[MAX_COMPONENTS];
  const auto lines = static_cast<JDIMENSION>(ci.max_v_samp_factor * ci.min_DCT_scaled_size);
  for (int row = 0; ci.output_scanline < ci.output_height; ++row) {
    if (row >= imcu_rows) return Stop::corrupt;
    for (int c = 0; c < n; ++c) {
      const jpeg_component_info& cp = ci.comp_info[c];
      const int count = cp.v_samp_factor * cp.DCT_scaled_size;
      Plane& p = w.planes[static_cast<std::size_t>(c)];
      std::vector<JSAMPROW>& rows = w.plane_rows[c];
      rows.resize(static_cast<std::size_t>(count));
      for (int i = 0; i < count; ++i) rows[static_cast<std::size_t>(i)] = p.row(row * count + i);
      arrays[c] = rows.data();
    }
    if (jpeg_read_raw_data(&ci, arrays, lines) == 0) return Stop::corrupt;
  }
  return lim.deadline.passed() ? Stop::timeout : Stop::none;
}

Stop run(Work& w, const std::string& bytes, const JpegLimits& lim) {
  w.cinfo.err = jpeg_std_error(&w.err.pub);
  w.err.pub.error_exit = on_error_exit;
  w.err.pub.emit_message = on_emit_message;
  w.err.pub.output_message = on_output_message;
  w.err.stop = Stop::none;
  w.err.message[0] = '\0';
  if (setjmp(w.err.jump)) return w.err.stop;

  jpeg_create_decompress(&w.cinfo);
  w.created = true;
  w.cinfo.mem->max_memory_to_use = static_cast<long>(lim.max_decode_bytes);
  w.progress.pub.progress_monitor = on_progress;
  w.progress.deadline = &lim.deadline;
  w.cinfo.progress = &w.progress.pub;
  jpeg_mem_src(&w.cinfo, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  jpeg_save_markers(&w.cinfo, JPEG_APP0 + 1, 0xFFFF);
  jpeg_save_markers(&w.cinfo, JPEG_APP0 + 2, 0xFFFF);
  jpeg_read_header(&w.cinfo, TRUE);

  std::int64_t pixels = static_cast<std::int64_t>(w.cinfo.image_width) * w.cinfo.image_height;
  if (pixels > lim.max_pixels) return Stop::too_many_pixels;
  read_metadata(w);

  if (w.cinfo.num_components == 1) {
    w.cinfo.out_color_space = JCS_GRAYSCALE;
    w.bands = 1;
  } else if (w.cinfo.jpeg_color_space == JCS_CMYK || w.cinfo.jpeg_color_space == JCS_YCCK) {
    w.cinfo.out_color_space = JCS_CMYK;
    w.bands = 4;
    w.cmyk = true;
  } else {
    w.cinfo.out_color_space = JCS_RGB;
    w.bands = 3;
  }
  // Planes keep the file's own components: only for the two colour spaces the output has too.
  const bool ycc = w.cinfo.num_components == 3 && w.cinfo.jpeg_color_space == JCS_YCbCr;
  if (lim.allow_planes && (ycc || w.cinfo.num_components == 1)) {
    w.cinfo.raw_data_out = TRUE;
    w.cinfo.out_color_space = w.cinfo.jpeg_color_space;
  }
  choose_scale(w.cinfo, lim.target_edge);

  std::int64_t out_bytes = static_cast<std::int64_t>(w.cinfo.output_width) * w.cinfo.output_height * w.bands;
  bool multi_scan = w.cinfo.progressive_mode || w.cinfo.comps_in_scan < w.cinfo.num_components;
  std::int64_t frame_bytes = multi_scan ? coefficient_bytes(w.cinfo) : 0;
  w.need_bytes = out_bytes + frame_bytes;
  if (w.need_bytes > lim.max_decode_bytes) return Stop::over_budget;
  if (multi_scan && !w.cinfo.arith_code) {
    // Before any whole-frame buffer: could the scans fill the frame at all, and what will our
    // decoder really hold (coefficients, DC terms, masks, the unstuffed scan copy)?
    ScanPlan plan = plan_scans(bytes, frame_of(w.cinfo), kMaxScans);
    if (!plan.ok) {
      std::snprintf(w.err.message, sizeof w.err.message, "%s", plan.detail.c_str());
      return Stop::corrupt;
    }
    if (w.cinfo.raw_data_out && w.cinfo.progressive_mode) frame_bytes = plan.memory;
  }
  w.need_bytes = out_bytes + frame_bytes;
  if (w.need_bytes > lim.max_decode_bytes) return Stop::over_budget;
  if (lim.deadline.passed()) return Stop::timeout;

  if (w.cinfo.raw_data_out) {
    // Baseline files stream through libjpeg's own IDCT when holding all their coefficients
    // would cost too much memory (a 64 MP photo); progressive files hold them anyway.
    if (multi_scan || coefficient_bytes(w.cinfo) <= kMaxBaselineCoefficients)
      return read_coefficient_planes(w, lim, bytes);
    return read_planes(w, lim);
  }
  jpeg_start_decompress(&w.cinfo);
  if (w.cinfo.output_components != w.bands) return Stop::corrupt;
  w.pixels = static_cast<unsigned char*>(std::malloc(static_cast<std::size_t>(out_bytes)));
  if (!w.pixels) return Stop::out_of_memory;
  std::size_t stride = static_cast<std::size_t>(w.cinfo.output_width) * w.bands;
  while (w.cinfo.output_scanline < w.cinfo.output_height) {
    JSAMPROW rows[16];
    JDIMENSION n = std::min<JDIMENSION>(16, w.cinfo.output_height - w.cinfo.output_scanline);
    for (JDIMENSION i = 0; i < n; ++i) rows[i] = w.pixels + (w.cinfo.output_scanline + i) * stride;
    if (jpeg_read_scanlines(&w.cinfo, rows, n) == 0) return Stop::corrupt;
  }
  // Photoshop writes CMYK inverted and says so with its Adobe marker.
  if (w.cmyk && w.cinfo.saw_Adobe_marker)
    for (std::size_t i = 0, n = static_cast<std::size_t>(out_bytes); i < n; ++i) w.pixels[i] = 255 - w.pixels[i];
  return Stop::none;
}

}  // namespace

JpegImage decode_jpeg(const std::string& bytes, const JpegLimits& limits) {
  auto w = std::make_unique<Work>();
  Stop stop = run(*w, bytes, limits);
  JpegImage out;
  out.source_width = static_cast<int>(w->cinfo.image_width);
  out.source_height = static_cast<int>(w->cinfo.image_height);
  switch (stop) {
    case Stop::none:
      out.status = JpegStatus::ok;
      out.width = static_cast<int>(w->cinfo.output_width);
      out.height = static_cast<int>(w->cinfo.output_height);
      out.bands = w->bands;
      out.cmyk = w->cmyk;
      out.orientation = w->orientation;
      if (w->icc) out.icc.assign(reinterpret_cast<const char*>(w->icc), w->icc_len);
      out.pixels.reset(w->pixels);
      out.planes = std::move(w->planes);
      w->pixels = nullptr;
      break;
    case Stop::too_many_pixels:
      out.status = JpegStatus::too_many_pixels;
      break;
    case Stop::over_budget:
      out.status = JpegStatus::too_many_pixels;
      out.detail = "decoding this " + std::string(w->cinfo.progressive_mode ? "progressive " : "") + "JPEG needs " +
                   std::to_string(w->need_bytes >> 20) + " MB, above the per-image limit of " +
                   std::to_string(limits.max_decode_bytes >> 20) + " MB";
      break;
    case Stop::timeout:
      out.status = JpegStatus::timeout;
      break;
    case Stop::too_many_scans:
      out.status = JpegStatus::corrupt;
      out.detail = "progressive JPEG with more than " + std::to_string(kMaxScans) + " scans";
      break;
    case Stop::corrupt:
      out.status = JpegStatus::corrupt;
      if (w->err.message[0]) out.detail = std::string("corrupt JPEG: ") + w->err.message;
      break;
    case Stop::out_of_memory:
      out.status = JpegStatus::too_many_pixels;
      out.detail = "decoding this JPEG needs more memory than the per-image limit";
      break;
  }
  std::free(w->pixels);
  std::free(w->icc);
  if (w->created) jpeg_destroy_decompress(&w->cinfo);
  return out;
}

}  // namespace sy::imaging::detail
