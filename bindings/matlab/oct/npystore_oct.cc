// npystore_oct: Octave's in-place loader behind npystore.Ref.load and readRows.
//
//   [A, done] = npystore_oct('load', id, raw)
//   [B, done] = npystore_oct('read_rows', id, first, count)    first is 0-based
//   [B, done] = npystore_oct('load_bytes', id)   as npystore_mex('load_bytes'): uint8
//               [itemsize, numel], the element bytes of any dtype (structured, S, V,
//               U), which the .m layer splits
//
// Octave copies every array a MEX function returns, element by element, into an
// array of its own; for large arrays that copy costs more than the load. This
// oct-file allocates the Octave array itself and has the library fill it in
// place, converting the order on the way, so a load is one pass over the data.
// It serves the common case only: native-endian bool, integer, float32/64 and
// complex dtypes. Anything else (float16, datetime, unicode, byte-swapped data,
// out-of-range rows, ids it cannot resolve) answers done = false and the caller
// takes the MEX path, which handles every case and raises the proper errors.
//
// Ctrl+C: loads and row reads (load, load_bytes, read_rows) of more than 1 MiB pass the library a
// progress callback that only reads Octave's interrupt flag and cancels; once the
// library has returned, Octave's interrupt is thrown, as the MEX does
// (mex/nsm_progress.c), and stops the run as any Ctrl+C does. Progress functions are
// the MEX's: when the caller asks for progress, npystore.Ref calls the MEX and not
// this file. Row reads are slices (npy_ref_read_slice_progress).
//
// Ids come from npystore_mex's registry, resolved through nsm_octave_ref, which
// the MEX exports and this file finds with dlsym: no handle ever crosses into the
// interpreter as a pointer, and a stale or foreign id resolves to nothing.
#include <dlfcn.h>

#include <complex>
#include <memory>
#include <cstring>
#include <new>
#include <string>

#include <octave/oct.h>
#include <octave/quit.h>

#include "npystore.h"

namespace {

// What to read: the whole array, or `count` rows from row `first`.
struct Block {
  const npy_ref *ref;
  bool rows;
  uint64_t first, count;
};

// The library's failure as error('npystore:<status name>', message), as the MEX does.
void check(npy_status st) {
  if (st == NPY_OK) return;
  std::string id = std::string("npystore:") + npy_status_name(st);
  error_with_id(id.c_str(), "npystore: %s", npy_last_error());
}

// The library's progress callback: cancel once Ctrl+C is pending. Reads a flag only.
int32_t cancel_on_interrupt(uint64_t, uint64_t, void *) { return octave_interrupt_state > 0; }

// The library's read of `b` into buf, as a slice for rows (start {first, 0, ..},
// count {count, <the other axes whole>}).
npy_status read(const Block &b, void *buf, uint64_t len, npy_order order, npy_progress_fn fn) {
  if (!b.rows) return npy_ref_load_into_progress(b.ref, buf, len, order, fn, nullptr);
  const uint64_t *shape = nullptr;
  size_t ndim = 0;
  check(npy_ref_shape(b.ref, &shape, &ndim));
  uint64_t start[64] = {b.first}, count[64];
  std::memcpy(count, shape, ndim * sizeof *shape);
  count[0] = b.count;
  return npy_ref_read_slice_progress(b.ref, ndim, start, count, buf, len, order, fn, nullptr);
}

void fill(const Block &b, void *buf, uint64_t len, npy_order order) {
  // small reads without the check: a callback puts the transfer on a helper thread,
  // which costs more than they do (NSM_INTERRUPTIBLE_BYTES in mex/nsm.h)
  const uint64_t interruptible = uint64_t(1) << 20;
  npy_progress_fn check_interrupt = len > interruptible ? cancel_on_interrupt : nullptr;
  npy_status st = read(b, buf, len, order, check_interrupt);
  if (st == NPY_ERR_CANCELLED && octave_interrupt_state > 0) {
    // the callback above is the only one that cancels: Octave's own interrupt, as
    // the MEX raises it (mex/nsm_progress.c); the array is freed on the way out
    octave_signal_caught = 0;
    octave_handle_signal();
  }
  check(st);
}

// The allocator Octave's arrays use (Array-fwd.h), so the array frees what we allocate.
#if defined(OCTAVE_HAVE_STD_PMR_POLYMORPHIC_ALLOCATOR)
template <typename T> using octave_alloc = std::pmr::polymorphic_allocator<T>;
#else
template <typename T> using octave_alloc = std::allocator<T>;
#endif

// A new Octave array of `dv` whose buffer the library fills. The buffer comes from
// Octave's allocator without constructing elements, so no zero-filling pass
// precedes the load; Array takes ownership (and frees it on an error too).
template <typename T, typename OctArray>
octave_value load_as(const Block &b, const dim_vector &dv, octave_idx_type n, npy_order order) {
  octave_alloc<T> alloc;
  Array<T> data(std::allocator_traits<octave_alloc<T>>::allocate(alloc, n), dv, alloc);
  fill(b, data.fortran_vec(), static_cast<uint64_t>(n) * sizeof(T), order);
  return octave_value(OctArray(data));
}

typedef octave_value (*loader)(const Block &, const dim_vector &, octave_idx_type, npy_order);

// The loader for a stored descr, or nullptr for dtypes the MEX path converts.
loader loader_for(const char *descr) {
  static const struct {
    const char *descr;
    loader load;
  } table[] = {
      {"'<f8'", load_as<double, NDArray>},
      {"'<f4'", load_as<float, FloatNDArray>},
      {"'<c16'", load_as<std::complex<double>, ComplexNDArray>},
      {"'<c8'", load_as<std::complex<float>, FloatComplexNDArray>},
      {"'|b1'", load_as<bool, boolNDArray>},
      {"'|i1'", load_as<octave_int8, int8NDArray>},
      {"'|u1'", load_as<octave_uint8, uint8NDArray>},
      {"'<i2'", load_as<octave_int16, int16NDArray>},
      {"'<u2'", load_as<octave_uint16, uint16NDArray>},
      {"'<i4'", load_as<octave_int32, int32NDArray>},
      {"'<u4'", load_as<octave_uint32, uint32NDArray>},
      {"'<i8'", load_as<octave_int64, int64NDArray>},
      {"'<u8'", load_as<octave_uint64, uint64NDArray>},
  };
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  for (const auto &row : table)
    if (std::strcmp(row.descr, descr) == 0) return row.load;
#endif
  return nullptr;
}

// The reference behind a registry id, or nullptr (MEX not loaded, id not live).
const npy_ref *resolve(const octave_value &id) {
  typedef const npy_ref *(*lookup)(double);
  // Looked up on every call: `clear mex` may unload and reload the MEX.
  lookup find = reinterpret_cast<lookup>(dlsym(RTLD_DEFAULT, "nsm_octave_ref"));
  if (!find || !id.is_real_scalar() || !id.is_double_type()) return nullptr;
  return find(id.double_value());
}

// A non-negative integer argument below 2^53, or false.
bool count_arg(const octave_value &v, uint64_t &out) {
  if (!v.is_real_scalar()) return false;
  double d = v.double_value();
  if (!(d >= 0) || d > 9007199254740992.0 || d != static_cast<double>(static_cast<uint64_t>(d)))
    return false;
  out = static_cast<uint64_t>(d);
  return true;
}

// Octave's dimensions for `shape` (numpy order): 0-d 1x1, (N,) N-by-1, reversed
// when `reverse`. False when a dimension or the element count leaves Octave's index.
bool dims_for(const uint64_t *shape, size_t ndim, bool reverse, dim_vector &dv, octave_idx_type &n) {
  const uint64_t limit = static_cast<uint64_t>(dim_vector::dim_max());
  dv = dim_vector(1, 1);
  if (ndim > 2) dv.resize(static_cast<int>(ndim));
  uint64_t total = 1;
  for (size_t i = 0; i < ndim; i++) {
    uint64_t d = shape[reverse ? ndim - 1 - i : i];
    if (d > limit || __builtin_mul_overflow(total, d, &total) || total > limit) return false;
    dv(static_cast<int>(i)) = static_cast<octave_idx_type>(d);
  }
  n = static_cast<octave_idx_type>(total);
  return true;
}

// Whether a reference's stored file is C order with 2+ dims (reads its header).
bool stored_c_order(const npy_ref *ref, size_t ndim) {
  if (ndim < 2) return false;
  int32_t fortran = -1;
  check(npy_ref_read_header(ref));
  check(npy_ref_fortran_order(ref, &fortran));
  return fortran == 0;
}

// The answer that hands the call to the MEX path.
octave_value_list not_done() { return ovl(Matrix(), false); }

// [A, done] for `block` of `ref`; `shape` is the block's numpy shape.
octave_value_list load_block(const Block &block, const uint64_t *shape, size_t ndim, bool raw) {
  const char *descr = nullptr;
  check(npy_ref_descr(block.ref, &descr));
  loader load = loader_for(descr);
  if (!load) return not_done();
  bool reverse = raw && stored_c_order(block.ref, ndim);
  dim_vector dv;
  octave_idx_type n = 0;
  if (!dims_for(shape, ndim, reverse, dv, n)) return not_done();
  octave_value out;
  try {
    out = load(block, dv, n, raw ? NPY_ORDER_AS_STORED : NPY_ORDER_FORTRAN);
  } catch (const std::bad_alloc &) {
    return not_done();  // the MEX path reports it in its own words
  }
  return ovl(out, true);
}

// [B, done] for npystore_mex('load_bytes'): every element's bytes, one column each.
octave_value_list load_bytes(const npy_ref *ref) {
  uint64_t itemsize = 0, n = 0;
  check(npy_ref_itemsize(ref, &itemsize));
  check(npy_ref_size(ref, &n));
  uint64_t shape[2] = {n, itemsize};  // reversed: [itemsize, n]
  dim_vector dv;
  octave_idx_type total = 0;
  if (!dims_for(shape, 2, true, dv, total)) return not_done();
  try {
    return ovl(load_as<octave_uint8, uint8NDArray>(Block{ref, false, 0, 0}, dv, total,
                                                   NPY_ORDER_FORTRAN),
               true);
  } catch (const std::bad_alloc &) {
    return not_done();
  }
}

}  // namespace

DEFUN_DLD(npystore_oct, args, ,
          "-*- texinfo -*-\n"
          "@deftypefn {} {[@var{A}, @var{done}] =} npystore_oct ('load', @var{id}, @var{raw})\n"
          "@deftypefnx {} {[@var{B}, @var{done}] =} npystore_oct ('read_rows', @var{id}, "
          "@var{first}, @var{count})\n"
          "@deftypefnx {} {[@var{B}, @var{done}] =} npystore_oct ('load_bytes', @var{id})\n"
          "Internal to npystore.Ref: Octave's in-place loader. @var{done} is false when "
          "the MEX path must serve the call.\n"
          "@end deftypefn")
{
  std::string command = args.length() > 0 && args(0).is_string() ? args(0).string_value() : "";
  bool rows = command == "read_rows" && args.length() == 4;
  bool bytes = command == "load_bytes" && args.length() == 2;
  if (!rows && !bytes && !(command == "load" && args.length() == 3)) print_usage();
  const npy_ref *ref = resolve(args(1));
  if (!ref) return not_done();
  if (bytes) return load_bytes(ref);
  const uint64_t *shape = nullptr;
  size_t ndim = 0;
  check(npy_ref_shape(ref, &shape, &ndim));
  if (!rows) {
    if (!args(2).is_real_scalar()) return not_done();  // the MEX path names the problem
    return load_block(Block{ref, false, 0, 0}, shape, ndim, args(2).is_true());
  }
  Block block{ref, true, 0, 0};
  if (ndim == 0 || ndim > 64 || !count_arg(args(2), block.first) ||
      !count_arg(args(3), block.count) || block.first > shape[0] ||
      block.count > shape[0] - block.first)
    return not_done();  // the MEX path names the problem
  uint64_t block_shape[64];
  std::memcpy(block_shape, shape, ndim * sizeof *shape);
  block_shape[0] = block.count;
  return load_block(block, block_shape, ndim, false);
}
