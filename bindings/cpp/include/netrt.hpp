// netrt.hpp — the C++ projection of netrt: a header-only wrapper over netrt.h in the style of
// C++/WinRT, so code written for Windows ports by replacing the token `winrt` with `netrt`.
//
//   #include <netrt/Windows.Networking.Sockets.h>   // or <netrt.hpp>
//   using namespace netrt;
//   Windows::Networking::Sockets::StreamSocket socket;          // a live object
//   co_await socket.ConnectAsync(host, L"443", SocketProtectionLevel::Tls12);
//
// Model (docs/projections.md, docs/async.md, docs/errors.md):
// - Runtime classes are values with reference semantics, as in C++/WinRT: `StreamSocket s;`
//   creates an object, `StreamSocket s{ nullptr }` is empty, a copy is another reference
//   (netrt_duplicate), destruction or `s = nullptr` drops one (netrt_release). handle() /
//   detach() / take_ownership_from_abi reach the C handle.
// - Failures throw netrt::hresult_error (or the most specific subclass); its message() is
//   netrt's detail for that failure (the native cause), else the HRESULT's generic text.
// - IAsyncAction / IAsyncOperation<T>: .get() blocks (netrt_async_wait); with C++20, co_await
//   resumes the coroutine where completions run — netrt's dispatcher thread, or inside the
//   dispatch() of the completion_queue current on the thread that started the operation —
//   and IAsyncAction, IAsyncOperation<T> and fire_and_forget are coroutine return types.
//   resume_background(), resume_after(duration) and apartment_context move a coroutine
//   between threads as in C++/WinRT (netrt/impl/threading.hpp).
// - Event and completion handlers run on netrt's dispatcher thread, one at a time. They may
//   call any netrt function, including .get() on netrt operations; they must not block on
//   work that needs the dispatcher (e.g. .get() on a coroutine that awaits netrt operations).
//   Exceptions thrown by handlers are swallowed: none crosses into the C library.
// - Strings are netrt::hstring (wchar_t: UTF-32 on Linux); the C boundary is UTF-8.
//
// Licence: MIT OR Apache-2.0.
#ifndef NETRT_HPP
#define NETRT_HPP

#include <netrt.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <exception>
#include <functional>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

// The WinRT enums, generated from netrt core's registry (make header).
#include "netrt/impl/enums.hpp"

#if defined(__cpp_impl_coroutine) && __has_include(<coroutine>)
#include <coroutine>
#define NETRT_HAS_COROUTINES 1
#else
#define NETRT_HAS_COROUTINES 0
#endif

namespace netrt {

// ---------------------------------------------------------------------------------------------
// hstring and UTF-8 conversion
// ---------------------------------------------------------------------------------------------

namespace impl {

inline void append_code_point(std::wstring& out, char32_t cp) {
  if constexpr (sizeof(wchar_t) == 2) {
    if (cp >= 0x10000) {
      cp -= 0x10000;
      out.push_back(static_cast<wchar_t>(0xD800 + (cp >> 10)));
      out.push_back(static_cast<wchar_t>(0xDC00 + (cp & 0x3FF)));
      return;
    }
  }
  out.push_back(static_cast<wchar_t>(cp));
}

// UTF-8 → wide; malformed sequences become U+FFFD (one per bad byte).
inline std::wstring utf8_to_wide(std::string_view s) {
  std::wstring out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    char32_t cp = 0;
    std::size_t n = 0;
    if (c < 0x80) {
      out.push_back(static_cast<wchar_t>(c));
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      cp = c & 0x1F;
      n = 2;
    } else if ((c & 0xF0) == 0xE0) {
      cp = c & 0x0F;
      n = 3;
    } else if ((c & 0xF8) == 0xF0) {
      cp = c & 0x07;
      n = 4;
    }
    bool ok = n != 0 && i + n <= s.size();
    for (std::size_t k = 1; ok && k < n; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      ok = (cc & 0xC0) == 0x80;
      cp = (cp << 6) | (cc & 0x3F);
    }
    ok = ok && !(n == 2 && cp < 0x80) && !(n == 3 && cp < 0x800) && !(n == 4 && cp < 0x10000) &&
         cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
    if (!ok) {
      out.push_back(static_cast<wchar_t>(0xFFFD));
      ++i;
      continue;
    }
    append_code_point(out, cp);
    i += n;
  }
  return out;
}

// Wide → UTF-8; unpaired surrogates and out-of-range values become U+FFFD.
inline std::string wide_to_utf8(std::wstring_view w) {
  std::string out;
  out.reserve(w.size());
  for (std::size_t i = 0; i < w.size(); ++i) {
    auto cp = static_cast<char32_t>(static_cast<std::make_unsigned_t<wchar_t>>(w[i]));
    if constexpr (sizeof(wchar_t) == 2) {
      if (cp >= 0xD800 && cp <= 0xDBFF && i + 1 < w.size()) {
        auto lo = static_cast<char32_t>(static_cast<std::make_unsigned_t<wchar_t>>(w[i + 1]));
        if (lo >= 0xDC00 && lo <= 0xDFFF) {
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          ++i;
        }
      }
    }
    if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) cp = 0xFFFD;
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }
  return out;
}

}  // namespace impl

// An immutable wide string, as C++/WinRT's hstring (wchar_t; UTF-32 on Linux). Also
// constructible from UTF-8 `char` strings (a netrt convenience).
class hstring {
 public:
  using value_type = wchar_t;
  using size_type = uint32_t;
  using const_reference = wchar_t const&;
  using pointer = wchar_t*;
  using const_pointer = wchar_t const*;
  using const_iterator = std::wstring::const_iterator;
  using iterator = const_iterator;

  hstring() noexcept = default;
  hstring(std::nullptr_t) = delete;
  hstring(wchar_t const* value) : m_value(value ? value : L"") {}
  hstring(wchar_t const* value, size_type size) : m_value(value, size) {}
  hstring(std::wstring_view value) : m_value(value) {}
  hstring(std::wstring const& value) : m_value(value) {}
  hstring(std::initializer_list<wchar_t> value) : m_value(value) {}
  // UTF-8 (netrt extension; malformed bytes become U+FFFD).
  hstring(char const* utf8) : m_value(impl::utf8_to_wide(utf8 ? utf8 : "")) {}
  hstring(std::string_view utf8) : m_value(impl::utf8_to_wide(utf8)) {}
  hstring(std::string const& utf8) : m_value(impl::utf8_to_wide(utf8)) {}

  void clear() noexcept { m_value.clear(); }
  operator std::wstring_view() const noexcept { return m_value; }
  const_iterator begin() const noexcept { return m_value.begin(); }
  const_iterator cbegin() const noexcept { return m_value.cbegin(); }
  const_iterator end() const noexcept { return m_value.end(); }
  const_iterator cend() const noexcept { return m_value.cend(); }
  bool empty() const noexcept { return m_value.empty(); }
  size_type size() const noexcept { return static_cast<size_type>(m_value.size()); }
  wchar_t const* c_str() const noexcept { return m_value.c_str(); }
  wchar_t const* data() const noexcept { return m_value.data(); }
  const_reference operator[](size_type pos) const noexcept { return m_value[pos]; }
  const_reference front() const noexcept { return m_value.front(); }
  const_reference back() const noexcept { return m_value.back(); }

  friend bool operator==(hstring const& a, hstring const& b) noexcept { return a.m_value == b.m_value; }
  friend bool operator!=(hstring const& a, hstring const& b) noexcept { return a.m_value != b.m_value; }
  friend bool operator<(hstring const& a, hstring const& b) noexcept { return a.m_value < b.m_value; }
  friend bool operator==(hstring const& a, wchar_t const* b) noexcept { return std::wstring_view(a) == b; }
  friend bool operator!=(hstring const& a, wchar_t const* b) noexcept { return !(a == b); }
  friend bool operator==(wchar_t const* a, hstring const& b) noexcept { return b == a; }
  friend bool operator!=(wchar_t const* a, hstring const& b) noexcept { return !(b == a); }
  friend bool operator==(hstring const& a, std::wstring const& b) noexcept { return a.m_value == b; }
  friend bool operator!=(hstring const& a, std::wstring const& b) noexcept { return a.m_value != b; }
  friend bool operator==(std::wstring const& a, hstring const& b) noexcept { return a == b.m_value; }
  friend bool operator!=(std::wstring const& a, hstring const& b) noexcept { return a != b.m_value; }

  friend hstring operator+(hstring const& a, hstring const& b) { return hstring(a.m_value + b.m_value); }
  friend hstring operator+(hstring const& a, wchar_t const* b) { return hstring(a.m_value + b); }
  friend hstring operator+(wchar_t const* a, hstring const& b) { return hstring(a + b.m_value); }
  friend hstring operator+(hstring const& a, std::wstring const& b) { return hstring(a.m_value + b); }
  friend hstring operator+(std::wstring const& a, hstring const& b) { return hstring(a + b.m_value); }
  friend hstring operator+(hstring const& a, wchar_t b) { return hstring(a.m_value + b); }
  friend hstring operator+(wchar_t a, hstring const& b) { return hstring(a + b.m_value); }

  friend std::wostream& operator<<(std::wostream& os, hstring const& s) { return os << s.m_value; }

 private:
  explicit hstring(std::wstring&& value) noexcept : m_value(std::move(value)) {}
  std::wstring m_value;
};

// UTF-8 text of a wide string.
inline std::string to_string(std::wstring_view value) { return impl::wide_to_utf8(value); }
inline std::string to_string(hstring const& value) { return impl::wide_to_utf8(value); }
inline std::string to_string(std::wstring const& value) { return impl::wide_to_utf8(value); }
inline std::string to_string(wchar_t const* value) { return impl::wide_to_utf8(value ? value : L""); }

// hstring from UTF-8 text, a wide string, or a number (as C++/WinRT's to_hstring).
inline hstring to_hstring(std::string_view utf8) { return hstring(utf8); }
inline hstring to_hstring(char const* utf8) { return hstring(utf8); }
inline hstring to_hstring(std::string const& utf8) { return hstring(utf8); }
inline hstring to_hstring(hstring const& value) { return value; }
template <class T, std::enable_if_t<std::is_arithmetic_v<T> && !std::is_same_v<T, bool>, int> = 0>
hstring to_hstring(T value) {
  std::wstring text = std::to_wstring(value);
  return hstring(std::wstring_view(text));
}
inline hstring to_hstring(bool value) { return hstring(value ? L"true" : L"false"); }

namespace impl {

// A string argument: anything C++/WinRT's param::hstring takes, plus UTF-8 `char` strings.
// Converted to UTF-8 once for the C boundary.
class str_in {
 public:
  str_in(hstring const& value) : m_utf8(to_string(value)) {}
  str_in(wchar_t const* value) : m_utf8(value ? to_string(value) : std::string()) {}
  str_in(std::wstring_view value) : m_utf8(to_string(value)) {}
  str_in(std::wstring const& value) : m_utf8(to_string(value)) {}
  str_in(char const* utf8) : m_utf8(utf8 ? utf8 : "") {}
  str_in(std::string_view utf8) : m_utf8(utf8) {}
  str_in(std::string const& utf8) : m_utf8(utf8) {}
  str_in(std::nullptr_t) {}
  char const* c_str() const noexcept { return m_utf8.c_str(); }

 private:
  std::string m_utf8;
};

}  // namespace impl

// ---------------------------------------------------------------------------------------------
// HRESULTs and exceptions
// ---------------------------------------------------------------------------------------------

// An HRESULT: converts to and from int32_t (as C++/WinRT's winrt::hresult).
struct hresult {
  int32_t value{};
  constexpr hresult() noexcept = default;
  constexpr hresult(int32_t const v) noexcept : value(v) {}
  constexpr operator int32_t() const noexcept { return value; }
};

struct take_ownership_from_abi_t {};
inline constexpr take_ownership_from_abi_t take_ownership_from_abi{};

namespace impl {

// HRESULTs come from netrt.h's NETRT_* defines, generated from netrt core's table.
inline constexpr int32_t e_fail = NETRT_E_FAIL;
inline constexpr int32_t e_accessdenied = NETRT_E_ACCESSDENIED;
inline constexpr int32_t e_canceled = NETRT_E_CANCELLED;

// Calls `f(buf, len, &needed)` (a netrt "string out" function) until the text fits; returns
// the UTF-8 bytes (which may contain NULs) or the failing HRESULT in `hr`.
template <class F>
std::string read_utf8(F&& f, int32_t& hr) {
  char stack[256];
  std::size_t needed = 0;
  hr = f(stack, sizeof stack, &needed);
  if (hr == NETRT_S_OK) return std::string(stack, needed ? needed - 1 : std::strlen(stack));
  for (int attempt = 0; attempt < 4 && hr == NETRT_E_INSUFFICIENT_BUFFER; ++attempt) {
    std::string buf(needed, '\0');
    hr = f(buf.data(), buf.size(), &needed);
    if (hr == NETRT_S_OK) {
      buf.resize(needed ? needed - 1 : 0);
      return buf;
    }
  }
  return std::string();
}

inline std::string hresult_text(int32_t code) {
  int32_t hr = 0;
  std::string s = read_utf8([&](char* b, std::size_t l, std::size_t* n) { return netrt_hresult_message(code, b, l, n); }, hr);
  return hr == NETRT_S_OK ? s : std::string();
}

inline std::string last_error_detail() {
  int32_t hr = 0;
  std::string s = read_utf8([](char* b, std::size_t l, std::size_t* n) { return netrt_get_last_error_detail(b, l, n); }, hr);
  return hr == NETRT_S_OK ? s : std::string();
}

inline std::string async_error_detail(netrt_handle op) {
  int32_t hr = 0;
  std::string s = read_utf8([&](char* b, std::size_t l, std::size_t* n) { return netrt_async_get_error_detail(op, b, l, n); }, hr);
  return hr == NETRT_S_OK ? s : std::string();
}

}  // namespace impl

// A failed HRESULT with its message (C++/WinRT's winrt::hresult_error). Also a std::exception,
// whose what() is the UTF-8 message.
class hresult_error : public std::exception {
 public:
  hresult_error() noexcept = default;
  hresult_error(hresult const code) : hresult_error(code, impl::hresult_text(code)) {}
  hresult_error(hresult const code, hstring const& message) : hresult_error(code, to_string(message)) {}
  // `message` is UTF-8; empty means "the HRESULT's generic text".
  hresult_error(hresult const code, std::string message) : m_code(code), m_utf8(std::move(message)) {
    if (m_utf8.empty()) m_utf8 = impl::hresult_text(code);
  }

  hresult code() const noexcept { return m_code; }
  hstring message() const { return hstring(std::string_view(m_utf8)); }
  hresult to_abi() const noexcept { return m_code; }
  char const* what() const noexcept override { return m_utf8.c_str(); }

 private:
  hresult m_code{impl::e_fail};
  std::string m_utf8;
};

#define NETRT_IMPL_ERROR(name, hr)                                                        \
  class name : public hresult_error {                                                     \
   public:                                                                                \
    name() : hresult_error(hresult(static_cast<int32_t>(hr))) {}                          \
    name(hstring const& message) : hresult_error(static_cast<int32_t>(hr), message) {}    \
    name(std::string message) : hresult_error(static_cast<int32_t>(hr), std::move(message)) {} \
  };

// The C++/WinRT subclasses that netrt's HRESULTs can produce.
NETRT_IMPL_ERROR(hresult_access_denied, NETRT_E_ACCESSDENIED)
NETRT_IMPL_ERROR(hresult_not_implemented, NETRT_E_NOTIMPL)
NETRT_IMPL_ERROR(hresult_invalid_argument, NETRT_E_INVALIDARG)
NETRT_IMPL_ERROR(hresult_out_of_bounds, NETRT_E_BOUNDS)
NETRT_IMPL_ERROR(hresult_illegal_method_call, NETRT_E_ILLEGAL_METHOD_CALL)
NETRT_IMPL_ERROR(hresult_illegal_state_change, NETRT_E_ILLEGAL_STATE_CHANGE)
NETRT_IMPL_ERROR(hresult_illegal_delegate_assignment, NETRT_E_ILLEGAL_DELEGATE_ASSIGNMENT)
NETRT_IMPL_ERROR(hresult_canceled, NETRT_E_CANCELLED)
#undef NETRT_IMPL_ERROR

// Throws the most specific hresult_error for `code` with `message` (UTF-8; empty: generic).
[[noreturn]] inline void throw_hresult(hresult const code, std::string message = std::string()) {
  switch (code.value) {
    case NETRT_E_ACCESSDENIED: throw hresult_access_denied(std::move(message));
    case NETRT_E_NOTIMPL: throw hresult_not_implemented(std::move(message));
    case NETRT_E_INVALIDARG: throw hresult_invalid_argument(std::move(message));
    case NETRT_E_BOUNDS: throw hresult_out_of_bounds(std::move(message));
    case NETRT_E_ILLEGAL_METHOD_CALL: throw hresult_illegal_method_call(std::move(message));
    case NETRT_E_ILLEGAL_STATE_CHANGE: throw hresult_illegal_state_change(std::move(message));
    case NETRT_E_ILLEGAL_DELEGATE_ASSIGNMENT: throw hresult_illegal_delegate_assignment(std::move(message));
    case NETRT_E_CANCELLED: throw hresult_canceled(std::move(message));
    case NETRT_E_OUTOFMEMORY: throw std::bad_alloc();
    default: throw hresult_error(code, std::move(message));
  }
}

// Throws when `result` is a failure, with the calling thread's last netrt error detail.
inline void check_hresult(hresult const result) {
  if (result.value < 0) throw_hresult(result, impl::last_error_detail());
}

// The HRESULT of the exception being handled (C++/WinRT's to_hresult); call in a catch block.
inline hresult to_hresult() noexcept {
  try {
    throw;
  } catch (hresult_error const& e) {
    return e.to_abi();
  } catch (std::bad_alloc const&) {
    return NETRT_E_OUTOFMEMORY;
  } catch (std::out_of_range const&) {
    return NETRT_E_BOUNDS;
  } catch (std::invalid_argument const&) {
    return NETRT_E_INVALIDARG;
  } catch (...) {
    return impl::e_fail;
  }
}

// C++/WinRT's init_apartment / uninit_apartment: netrt has no apartments; these do nothing.
enum class apartment_type : int32_t { single_threaded, multi_threaded };
inline void init_apartment(apartment_type const = apartment_type::multi_threaded) noexcept {}
inline void uninit_apartment() noexcept {}

// ---------------------------------------------------------------------------------------------
// Handles
// ---------------------------------------------------------------------------------------------

namespace impl {

inline netrt_handle duplicate(netrt_handle h) {
  if (!h) return 0;
  netrt_handle out = 0;
  check_hresult(netrt_duplicate(h, &out));
  return out;
}

// Calls a C function whose last parameter is `netrt_handle *out`; returns the new reference.
template <class F, class... A>
netrt_handle make_handle(F f, A... args) {
  netrt_handle out = 0;
  check_hresult(f(args..., &out));
  return out;
}

// One reference to a netrt object; the base of every runtime class.
class object {
 public:
  object() noexcept = default;
  object(std::nullptr_t) noexcept {}
  object(take_ownership_from_abi_t, netrt_handle h) noexcept : m_handle(h) {}
  object(object const& other) : m_handle(duplicate(other.m_handle)) {}
  object(object&& other) noexcept : m_handle(std::exchange(other.m_handle, 0)) {}
  object& operator=(object const& other) {
    if (this != &other) {
      netrt_handle h = duplicate(other.m_handle);
      reset();
      m_handle = h;
    }
    return *this;
  }
  object& operator=(object&& other) noexcept {
    if (this != &other) {
      reset();
      m_handle = std::exchange(other.m_handle, 0);
    }
    return *this;
  }
  ~object() { reset(); }

  explicit operator bool() const noexcept { return m_handle != 0; }
  // The C handle (still owned by this object).
  netrt_handle handle() const noexcept { return m_handle; }
  // Gives up ownership of the C handle (the caller releases it); the object becomes empty.
  netrt_handle detach() noexcept { return std::exchange(m_handle, 0); }
  // Takes ownership of `h`, releasing the current reference.
  void attach(netrt_handle h) noexcept {
    reset();
    m_handle = h;
  }

  friend bool operator==(object const& o, std::nullptr_t) noexcept { return !o.m_handle; }
  friend bool operator!=(object const& o, std::nullptr_t) noexcept { return o.m_handle != 0; }
  friend bool operator==(std::nullptr_t, object const& o) noexcept { return !o.m_handle; }
  friend bool operator!=(std::nullptr_t, object const& o) noexcept { return o.m_handle != 0; }

 protected:
  void reset() noexcept {
    if (m_handle) (void)netrt_release(std::exchange(m_handle, 0));
  }

  template <class T, class F, class... A>
  T get_value(F f, A... args) const {
    T out{};
    check_hresult(f(m_handle, args..., &out));
    return out;
  }
  template <class F, class... A>
  void call(F f, A... args) const {
    check_hresult(f(m_handle, args...));
  }
  template <class T, class F, class... A>
  T get_object(F f, A... args) const {
    return T(take_ownership_from_abi, make_handle(f, m_handle, args...));
  }
  template <class F, class... A>
  hstring get_string(F f, A... args) const {
    int32_t hr = 0;
    std::string s = read_utf8([&](char* b, std::size_t l, std::size_t* n) { return f(m_handle, args..., b, l, n); }, hr);
    check_hresult(hr);
    return hstring(std::string_view(s));
  }

 private:
  netrt_handle m_handle = 0;
};

}  // namespace impl

// The C handle of a runtime class (owned by it), C++/WinRT's get_abi.
template <class T, std::enable_if_t<std::is_base_of_v<impl::object, T>, int> = 0>
netrt_handle get_abi(T const& object) noexcept {
  return object.handle();
}
// Gives up ownership of the C handle (C++/WinRT's detach_abi).
template <class T, std::enable_if_t<std::is_base_of_v<impl::object, T>, int> = 0>
netrt_handle detach_abi(T& object) noexcept {
  return object.detach();
}

// Declares the constructors every runtime class has: empty (nullptr) and from a C handle.
#define NETRT_IMPL_CLASS(Name)                                                           \
  Name(std::nullptr_t) noexcept {}                                                       \
  Name(::netrt::take_ownership_from_abi_t, netrt_handle h) noexcept                      \
      : ::netrt::impl::object(::netrt::take_ownership_from_abi, h) {}

// ---------------------------------------------------------------------------------------------
// Delegates, events
// ---------------------------------------------------------------------------------------------

// A delegate: any callable taking `Args...` (its result is ignored, so coroutines returning
// fire_and_forget or IAsyncAction are fine), or an object pointer plus member function.
template <class... Args>
class delegate : public std::function<void(Args...)> {
  using base = std::function<void(Args...)>;

 public:
  delegate() noexcept = default;
  delegate(std::nullptr_t) noexcept {}
  template <class F, std::enable_if_t<std::is_invocable_v<F&, Args...> && !std::is_same_v<std::decay_t<F>, delegate>, int> = 0>
  delegate(F f) : base(std::move(f)) {}
  template <class O, class M>
  delegate(O* object, M method) : base([object, method](Args... args) { (object->*method)(args...); }) {}
};

// An event registration (C++/WinRT's winrt::event_token).
struct event_token {
  int64_t value{};
  explicit operator bool() const noexcept { return value != 0; }
  friend bool operator==(event_token const& a, event_token const& b) noexcept { return a.value == b.value; }
  friend bool operator!=(event_token const& a, event_token const& b) noexcept { return a.value != b.value; }
};

struct auto_revoke_t {};
inline constexpr auto_revoke_t auto_revoke{};

namespace impl {

using event_fn = std::function<void(netrt_handle sender, netrt_handle args)>;
using remove_fn = netrt_hresult (*)(netrt_handle, int64_t);

// Handlers registered with the C library. The C user_data is an id into this table, never a
// pointer, so a callback already queued on the dispatcher when its handler is revoked finds
// nothing instead of freed memory. Never destroyed (callbacks may run during exit).
class handler_table {
 public:
  static handler_table& get() {
    static handler_table* table = new handler_table;
    return *table;
  }
  uint64_t add(std::shared_ptr<event_fn> fn) {
    std::lock_guard<std::mutex> lock(m_mutex);
    uint64_t id = m_next++;
    m_map.emplace(id, std::move(fn));
    return id;
  }
  void erase(uint64_t id) {
    std::shared_ptr<event_fn> dying;  // destroyed outside the lock
    std::lock_guard<std::mutex> lock(m_mutex);
    auto it = m_map.find(id);
    if (it != m_map.end()) {
      dying = std::move(it->second);
      m_map.erase(it);
    }
  }
  std::shared_ptr<event_fn> find(uint64_t id) {
    std::lock_guard<std::mutex> lock(m_mutex);
    auto it = m_map.find(id);
    return it == m_map.end() ? nullptr : it->second;
  }

 private:
  std::mutex m_mutex;
  std::unordered_map<uint64_t, std::shared_ptr<event_fn>> m_map;
  uint64_t m_next = 1;
};

inline void event_trampoline(void* user_data, netrt_handle sender, netrt_handle args) noexcept {
  auto fn = handler_table::get().find(static_cast<uint64_t>(reinterpret_cast<uintptr_t>(user_data)));
  if (!fn) return;
  try {
    (*fn)(sender, args);
  } catch (...) {
    // No exception crosses into the C library (C++/WinRT would report it to the event source).
  }
}

// The handlers registered through the copies of one wrapper object. Holds its own reference
// to the object; when the last copy goes, its handlers are removed.
class event_registry {
 public:
  explicit event_registry(netrt_handle own) noexcept : m_handle(own) {}
  event_registry(event_registry const&) = delete;
  event_registry& operator=(event_registry const&) = delete;
  ~event_registry() {
    for (auto const& e : m_entries) {
      (void)e.remove(m_handle, e.token);
      handler_table::get().erase(e.id);
    }
    (void)netrt_release(m_handle);
  }

  template <class Add>
  event_token add(Add add_fn, remove_fn remove, event_fn fn) {
    auto& table = handler_table::get();
    uint64_t id = table.add(std::make_shared<event_fn>(std::move(fn)));
    int64_t token = 0;
    int32_t hr = add_fn(m_handle, &event_trampoline, reinterpret_cast<void*>(static_cast<uintptr_t>(id)), &token);
    if (hr < 0) {
      std::string detail = last_error_detail();
      table.erase(id);
      throw_hresult(hr, std::move(detail));
    }
    std::lock_guard<std::mutex> lock(m_mutex);
    m_entries.push_back({token, id, remove});
    return event_token{token};
  }

  void revoke(event_token token, remove_fn remove) noexcept {
    uint64_t id = 0;
    {
      std::lock_guard<std::mutex> lock(m_mutex);
      for (auto it = m_entries.begin(); it != m_entries.end(); ++it) {
        if (it->token == token.value && it->remove == remove) {
          id = it->id;
          m_entries.erase(it);
          break;
        }
      }
    }
    (void)remove(m_handle, token.value);
    if (id) handler_table::get().erase(id);
  }

 private:
  struct entry {
    int64_t token;
    uint64_t id;
    remove_fn remove;
  };
  netrt_handle m_handle;
  std::mutex m_mutex;
  std::vector<entry> m_entries;
};

inline std::shared_ptr<event_registry> make_registry(netrt_handle h) {
  if (!h) return nullptr;
  return std::make_shared<event_registry>(duplicate(h));
}

}  // namespace impl

// Revokes an event handler when destroyed (C++/WinRT's event_revoker); does nothing once the
// event source's wrappers are all gone.
class event_revoker {
 public:
  event_revoker() noexcept = default;
  event_revoker(std::nullptr_t) noexcept {}
  event_revoker(std::weak_ptr<impl::event_registry> registry, event_token token, impl::remove_fn remove) noexcept
      : m_registry(std::move(registry)), m_token(token), m_remove(remove) {}
  event_revoker(event_revoker const&) = delete;
  event_revoker& operator=(event_revoker const&) = delete;
  event_revoker(event_revoker&& other) noexcept { swap(other); }
  event_revoker& operator=(event_revoker&& other) noexcept {
    if (this != &other) {
      revoke();
      swap(other);
    }
    return *this;
  }
  ~event_revoker() { revoke(); }

  void revoke() noexcept {
    if (auto registry = m_registry.lock()) registry->revoke(m_token, m_remove);
    m_registry.reset();
  }
  explicit operator bool() const noexcept { return !m_registry.expired(); }

 private:
  void swap(event_revoker& other) noexcept {
    std::swap(m_registry, other.m_registry);
    std::swap(m_token, other.m_token);
    std::swap(m_remove, other.m_remove);
  }
  std::weak_ptr<impl::event_registry> m_registry;
  event_token m_token{};
  impl::remove_fn m_remove = nullptr;
};

// ---------------------------------------------------------------------------------------------
// Foundation: time, GUID, async status
// ---------------------------------------------------------------------------------------------

// C++/WinRT's winrt::clock: 100-ns ticks since 1601-01-01 UTC.
struct clock {
  using rep = int64_t;
  using period = std::ratio<1, 10'000'000>;
  using duration = std::chrono::duration<rep, period>;
  using time_point = std::chrono::time_point<clock, duration>;
  static constexpr bool is_steady = false;
  // Ticks between 1601-01-01 and 1970-01-01.
  static constexpr rep unix_epoch_ticks = 116'444'736'000'000'000LL;

  static time_point now() noexcept { return from_sys(std::chrono::system_clock::now()); }
  static time_point from_sys(std::chrono::system_clock::time_point const& t) noexcept {
    return time_point(std::chrono::duration_cast<duration>(t.time_since_epoch()) + duration(unix_epoch_ticks));
  }
  static std::chrono::system_clock::time_point to_sys(time_point const& t) noexcept {
    return std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(t.time_since_epoch() - duration(unix_epoch_ticks)));
  }
  static time_point from_file_time(int64_t ticks) noexcept { return time_point(duration(ticks)); }
  static int64_t to_file_time(time_point const& t) noexcept { return t.time_since_epoch().count(); }
};

// C++/WinRT's winrt::guid (Windows layout).
struct guid {
  uint32_t Data1{};
  uint16_t Data2{};
  uint16_t Data3{};
  uint8_t Data4[8]{};
  friend bool operator==(guid const& a, guid const& b) noexcept { return std::memcmp(&a, &b, sizeof(guid)) == 0; }
  friend bool operator!=(guid const& a, guid const& b) noexcept { return !(a == b); }
};

// A view of contiguous elements (C++/WinRT's array_view), for WriteBytes / ReadBytes.
template <class T>
class array_view {
 public:
  using value_type = std::remove_const_t<T>;
  using size_type = uint32_t;

  array_view() noexcept = default;
  array_view(T* data, size_type size) noexcept : m_data(data), m_size(size) {}
  array_view(T* first, T* last) noexcept : m_data(first), m_size(static_cast<size_type>(last - first)) {}
  array_view(std::initializer_list<value_type> values) noexcept
      : m_data(values.begin()), m_size(static_cast<size_type>(values.size())) {}
  template <std::size_t N>
  array_view(T (&values)[N]) noexcept : m_data(values), m_size(N) {}
  template <class C, class = decltype(std::declval<C&>().data()), class = decltype(std::declval<C&>().size()),
            std::enable_if_t<std::is_convertible_v<decltype(std::declval<C&>().data()), T*>, int> = 0>
  array_view(C& container) noexcept : m_data(container.data()), m_size(static_cast<size_type>(container.size())) {}

  T* data() const noexcept { return m_data; }
  size_type size() const noexcept { return m_size; }
  bool empty() const noexcept { return m_size == 0; }
  T* begin() const noexcept { return m_data; }
  T* end() const noexcept { return m_data + m_size; }
  T& operator[](size_type i) const noexcept { return m_data[i]; }

 private:
  T* m_data = nullptr;
  size_type m_size = 0;
};

namespace Windows::Foundation {

using TimeSpan = std::chrono::duration<int64_t, std::ratio<1, 10'000'000>>;
using DateTime = ::netrt::clock::time_point;

template <class S, class A>
using TypedEventHandler = ::netrt::delegate<S const&, A const&>;

class IAsyncAction;
template <class T>
class IAsyncOperation;

using AsyncActionCompletedHandler = ::netrt::delegate<IAsyncAction const&, AsyncStatus>;
template <class T>
using AsyncOperationCompletedHandler = ::netrt::delegate<IAsyncOperation<T> const&, AsyncStatus>;

// `IReference<T>`: a value or null (C++/WinRT's boxed optional), for properties such as
// IPInformation.PrefixLength. Value() on a null reference throws hresult_error(E_POINTER)
// instead of crashing.
template <class T>
class IReference {
 public:
  IReference() noexcept = default;
  IReference(std::nullptr_t) noexcept {}
  IReference(T value) : m_value(std::move(value)) {}
  T Value() const {
    if (!m_value) ::netrt::throw_hresult(NETRT_E_POINTER, "the IReference is null");
    return *m_value;
  }
  explicit operator bool() const noexcept { return m_value.has_value(); }
  friend bool operator==(IReference const& r, std::nullptr_t) noexcept { return !r.m_value; }
  friend bool operator!=(IReference const& r, std::nullptr_t) noexcept { return r.m_value.has_value(); }

 private:
  std::optional<T> m_value;
};

}  // namespace Windows::Foundation

// ---------------------------------------------------------------------------------------------
// Asynchrony
// ---------------------------------------------------------------------------------------------

namespace impl {

using Windows::Foundation::AsyncStatus;

// Cancellation of a coroutine: a flag, plus how to cancel what it is awaiting right now.
class coro_cancel {
 public:
  void request_cancel() noexcept {
    std::lock_guard<std::mutex> lock(m_cancel_mutex);
    m_cancel.store(true, std::memory_order_release);
    // Under the lock, so the awaiter (which clears this when resumed) outlives the call.
    if (m_on_cancel) {
      try {
        m_on_cancel();
      } catch (...) {
      }
    }
  }
  bool cancel_requested() const noexcept { return m_cancel.load(std::memory_order_acquire); }
  void set_on_cancel(std::function<void()> f) {
    std::lock_guard<std::mutex> lock(m_cancel_mutex);
    m_on_cancel = std::move(f);
  }
  void clear_on_cancel() noexcept {
    std::lock_guard<std::mutex> lock(m_cancel_mutex);
    m_on_cancel = nullptr;
  }

 private:
  std::mutex m_cancel_mutex;
  std::function<void()> m_on_cancel;
  std::atomic<bool> m_cancel{false};
};

// The shared state of an operation produced by a C++ coroutine.
template <class T>
class coro_state : public coro_cancel {
 public:
  AsyncStatus status() {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_status;
  }
  int32_t error_code() {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_code;
  }
  void wait() {
    std::unique_lock<std::mutex> lock(m_mutex);
    m_cv.wait(lock, [&] { return m_status != AsyncStatus::Started; });
  }
  template <class Rep, class Period>
  bool wait_for(std::chrono::duration<Rep, Period> timeout) {
    std::unique_lock<std::mutex> lock(m_mutex);
    return m_cv.wait_for(lock, timeout, [&] { return m_status != AsyncStatus::Started; });
  }
  // Records the coroutine's outcome (completion is signalled by finish()).
  void set_exception(std::exception_ptr e) noexcept {
    m_exception = std::move(e);
    try {
      std::rethrow_exception(m_exception);
    } catch (...) {
      m_pending_code = to_hresult();
    }
  }
  template <class V>
  void set_value(V&& v) {
    m_value.emplace(std::forward<V>(v));
  }

  // Called once the coroutine frame is gone: publishes the outcome, runs the Completed handler.
  void finish() noexcept {
    std::function<void(AsyncStatus)> handler;
    AsyncStatus status;
    {
      std::lock_guard<std::mutex> lock(m_mutex);
      if (m_exception) {
        bool canceled = m_pending_code == NETRT_E_CANCELLED;
        m_status = canceled ? AsyncStatus::Canceled : AsyncStatus::Error;
        m_code = m_pending_code;
      } else {
        m_status = AsyncStatus::Completed;
      }
      status = m_status;
      handler = std::move(m_handler);
    }
    m_cv.notify_all();
    if (handler) {
      try {
        handler(status);
      } catch (...) {
      }
    }
  }

  // Sets the one Completed handler; runs it at once (on this thread) if already done.
  void set_completed(std::function<void(AsyncStatus)> handler) {
    AsyncStatus status;
    {
      std::lock_guard<std::mutex> lock(m_mutex);
      if (m_handler_set) throw hresult_illegal_delegate_assignment();
      m_handler_set = true;
      status = m_status;
      if (status == AsyncStatus::Started) {
        m_handler = std::move(handler);
        return;
      }
    }
    handler(status);
  }

  // GetResults: the value, or the coroutine's exception.
  T results() {
    AsyncStatus status = this->status();
    if (status == AsyncStatus::Started) throw hresult_illegal_method_call();
    if (m_exception) std::rethrow_exception(m_exception);
    if constexpr (!std::is_void_v<T>) return *m_value;
  }

 private:
  std::mutex m_mutex;
  std::condition_variable m_cv;
  AsyncStatus m_status = AsyncStatus::Started;
  int32_t m_code = 0;
  int32_t m_pending_code = 0;
  std::exception_ptr m_exception;
  std::conditional_t<std::is_void_v<T>, bool, std::optional<T>> m_value{};
  std::function<void(AsyncStatus)> m_handler;
  bool m_handler_set = false;
};

// Throws the failure of a finished C operation (status Error or Canceled).
[[noreturn]] inline void throw_async_failure(netrt_handle op, AsyncStatus status) {
  int32_t code = 0;
  (void)netrt_async_get_error_code(op, &code);
  if (status == AsyncStatus::Canceled && code >= 0) code = NETRT_E_CANCELLED;
  if (code >= 0) code = NETRT_E_UNEXPECTED;
  throw_hresult(code, async_error_detail(op));
}

// GetResults of a C operation producing T.
template <class T>
T op_results(netrt_handle op) {
  netrt_async_status raw = NETRT_ASYNC_STATUS_STARTED;
  check_hresult(netrt_async_get_status(op, &raw));
  auto status = static_cast<AsyncStatus>(raw);
  if (status == AsyncStatus::Error || status == AsyncStatus::Canceled) throw_async_failure(op, status);
  if constexpr (std::is_void_v<T>) {
    check_hresult(netrt_async_get_results(op));
  } else if constexpr (std::is_same_v<T, uint32_t>) {
    uint32_t v = 0;
    check_hresult(netrt_async_get_results_uint32(op, &v));
    return v;
  } else if constexpr (std::is_same_v<T, bool>) {
    bool v = false;
    check_hresult(netrt_async_get_results_bool(op, &v));
    return v;
  } else if constexpr (std::is_constructible_v<T, take_ownership_from_abi_t, netrt_handle>) {
    netrt_handle h = 0;
    check_hresult(netrt_async_get_results_handle(op, &h));
    return T(take_ownership_from_abi, h);
  } else {
    // Only C++ coroutines produce other result types; a netrt operation never does.
    throw_hresult(NETRT_E_INVALIDARG, "this operation's result type has no C representation");
  }
}

struct from_coroutine_t {};
struct async_tag {};

// What IAsyncAction and IAsyncOperation<T> share: either a C operation handle (an operation
// netrt runs) or the state of a C++ coroutine. `D` is the projected type, `T` the result.
template <class D, class T>
class async_base : public async_tag {
 public:
  async_base() noexcept = default;
  async_base(std::nullptr_t) noexcept {}
  async_base(take_ownership_from_abi_t, netrt_handle op) noexcept : m_op(op) {}
  async_base(from_coroutine_t, std::shared_ptr<coro_state<T>> state) noexcept : m_state(std::move(state)) {}
  async_base(async_base const& other) : m_op(duplicate(other.m_op)), m_state(other.m_state) {}
  async_base(async_base&& other) noexcept : m_op(std::exchange(other.m_op, 0)), m_state(std::move(other.m_state)) {}
  async_base& operator=(async_base const& other) {
    if (this != &other) {
      netrt_handle h = duplicate(other.m_op);
      reset();
      m_op = h;
      m_state = other.m_state;
    }
    return *this;
  }
  async_base& operator=(async_base&& other) noexcept {
    if (this != &other) {
      reset();
      m_op = std::exchange(other.m_op, 0);
      m_state = std::move(other.m_state);
    }
    return *this;
  }
  ~async_base() { reset(); }

  explicit operator bool() const noexcept { return m_op != 0 || m_state != nullptr; }
  friend bool operator==(async_base const& a, std::nullptr_t) noexcept { return !a; }
  friend bool operator!=(async_base const& a, std::nullptr_t) noexcept { return !!a; }
  // The C operation handle (0 for an operation produced by a coroutine).
  netrt_handle handle() const noexcept { return m_op; }
  netrt_handle detach() noexcept {
    m_state.reset();
    return std::exchange(m_op, 0);
  }

  AsyncStatus Status() const {
    if (m_state) return m_state->status();
    netrt_async_status s = NETRT_ASYNC_STATUS_STARTED;
    check_hresult(netrt_async_get_status(m_op, &s));
    return static_cast<AsyncStatus>(s);
  }
  hresult ErrorCode() const {
    if (m_state) return m_state->error_code();
    int32_t code = 0;
    check_hresult(netrt_async_get_error_code(m_op, &code));
    return code;
  }
  // Requests cancellation. A netrt operation ends Canceled at once; a coroutine sees
  // hresult_canceled at its next co_await.
  void Cancel() const {
    if (m_state) {
      m_state->request_cancel();
      return;
    }
    check_hresult(netrt_async_cancel(m_op));
  }
  void Close() const {
    if (!m_state) check_hresult(netrt_close(m_op));
  }

  // The result once complete; throws the failure (hresult_canceled when canceled,
  // hresult_illegal_method_call while running). Never blocks.
  T GetResults() const {
    if (m_state) return m_state->results();
    return op_results<T>(m_op);
  }

  // Blocks until done, then returns the result or throws the failure.
  T get() const {
    if (m_state) {
      m_state->wait();
      return m_state->results();
    }
    check_hresult(netrt_async_wait(m_op, NETRT_INFINITE));
    return op_results<T>(m_op);
  }

  // Blocks up to `timeout`; returns the status (Started when it timed out; the operation goes on).
  template <class Rep, class Period>
  AsyncStatus wait_for(std::chrono::duration<Rep, Period> const& timeout) const {
    if (m_state) {
      m_state->wait_for(timeout);
      return m_state->status();
    }
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count();
    if (ms < 0) ms = 0;
    if (ms >= static_cast<long long>(NETRT_INFINITE)) ms = NETRT_INFINITE - 1;
    int32_t hr = netrt_async_wait(m_op, static_cast<uint32_t>(ms));
    if (hr != NETRT_E_WAIT_TIMEOUT) check_hresult(hr);
    return Status();
  }

  // Sets the Completed handler (once per operation, as in WinRT). It runs on netrt's dispatcher
  // thread, or at once on this thread when the operation is already done.
  void Completed(delegate<D const&, AsyncStatus> const& handler) const {
    D self = static_cast<D const&>(*this);
    if (m_state) {
      m_state->set_completed([handler, self](AsyncStatus status) { handler(self, status); });
      return;
    }
    struct box {
      delegate<D const&, AsyncStatus> handler;
      D self;
    };
    auto* b = new box{handler, std::move(self)};
    auto trampoline = [](void* user_data, netrt_handle, netrt_async_status status) noexcept {
      std::unique_ptr<box> owned(static_cast<box*>(user_data));
      try {
        if (owned->handler) owned->handler(owned->self, static_cast<AsyncStatus>(status));
      } catch (...) {
      }
    };
    int32_t hr = netrt_async_set_completed(m_op, trampoline, b);
    if (hr < 0) {
      std::string detail = last_error_detail();
      delete b;
      throw_hresult(hr, std::move(detail));
    }
  }

#if NETRT_HAS_COROUTINES
  // co_await: suspends until done (resuming on the thread that completed it — netrt's
  // dispatcher thread for netrt operations), then returns the result or throws the failure.
  struct awaiter {
    async_base const& async;
    coro_cancel* link = nullptr;  // the awaiting netrt coroutine, whose Cancel cancels `async`
    std::coroutine_handle<> handle{};
    std::atomic<bool> second{false};

    bool await_ready() const { return async.Status() != AsyncStatus::Started; }
    bool await_suspend(std::coroutine_handle<> h) {
      handle = h;
      if (link) {
        link->set_on_cancel([this] { async.Cancel(); });
        if (link->cancel_requested()) async.Cancel();
      }
      if (async.m_state) {
        async.m_state->set_completed([this](AsyncStatus) { resume_if_second(); });
      } else {
        auto cb = [](void* user_data, netrt_handle, netrt_async_status) noexcept {
          static_cast<awaiter*>(user_data)->resume_if_second();
        };
        check_hresult(netrt_async_set_completed(async.m_op, cb, this));
      }
      // The handler may already have run (inline); then carry on without suspending.
      return !second.exchange(true, std::memory_order_acq_rel);
    }
    T await_resume() const {
      if (link) link->clear_on_cancel();
      return async.GetResults();
    }

    void resume_if_second() noexcept {
      std::coroutine_handle<> h = handle;  // read before the exchange: `this` may die after it
      if (second.exchange(true, std::memory_order_acq_rel)) h.resume();
    }
  };
  awaiter operator co_await() const noexcept { return awaiter{*this}; }
#endif

 private:
  void reset() noexcept {
    if (m_op) (void)netrt_release(std::exchange(m_op, 0));
    m_state.reset();
  }
  netrt_handle m_op = 0;
  std::shared_ptr<coro_state<T>> m_state;
};

#if NETRT_HAS_COROUTINES

// The promise of a coroutine returning IAsyncAction / IAsyncOperation<T> (C++/WinRT style:
// starts eagerly; completion is published after the frame, locals and parameters are gone).
template <class Async, class T>
struct promise_common {
  std::shared_ptr<coro_state<T>> state = std::make_shared<coro_state<T>>();

  Async get_return_object() noexcept { return Async(from_coroutine_t{}, state); }
  std::suspend_never initial_suspend() const noexcept { return {}; }

  template <class Promise>
  struct final_awaiter {
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<Promise> h) const noexcept {
      std::shared_ptr<coro_state<T>> s = std::move(h.promise().state);
      h.destroy();
      s->finish();
    }
    void await_resume() const noexcept {}
  };

  void unhandled_exception() noexcept { state->set_exception(std::current_exception()); }

  // Cancellation (IAsyncInfo.Cancel) cancels the netrt operation being awaited and surfaces
  // as hresult_canceled at the next co_await.
  template <class A>
  decltype(auto) await_transform(A&& awaitable) {
    if (state->cancel_requested()) throw hresult_canceled();
    if constexpr (std::is_base_of_v<async_tag, std::decay_t<A>>) {
      return typename std::decay_t<A>::awaiter{awaitable, state.get()};
    } else {
      return std::forward<A>(awaitable);
    }
  }
};

template <class Async, class T>
struct promise_type : promise_common<Async, T> {
  template <class V>
  void return_value(V&& value) {
    this->state->set_value(std::forward<V>(value));
  }
  typename promise_common<Async, T>::template final_awaiter<promise_type> final_suspend() const noexcept {
    return {};
  }
};

template <class Async>
struct promise_type<Async, void> : promise_common<Async, void> {
  void return_void() const noexcept {}
  typename promise_common<Async, void>::template final_awaiter<promise_type> final_suspend() const noexcept {
    return {};
  }
};

#endif

}  // namespace impl

namespace Windows::Foundation {

// IAsyncAction: an action netrt runs, or a C++20 coroutine returning IAsyncAction.
class IAsyncAction : public ::netrt::impl::async_base<IAsyncAction, void> {
  using base = ::netrt::impl::async_base<IAsyncAction, void>;

 public:
  using base::base;
  IAsyncAction() noexcept = default;
#if NETRT_HAS_COROUTINES
  using promise_type = ::netrt::impl::promise_type<IAsyncAction, void>;
#endif
};

// IAsyncOperation<T>: an operation netrt runs, or a C++20 coroutine returning it.
template <class T>
class IAsyncOperation : public ::netrt::impl::async_base<IAsyncOperation<T>, T> {
  using base = ::netrt::impl::async_base<IAsyncOperation<T>, T>;

 public:
  using base::base;
  IAsyncOperation() noexcept = default;
#if NETRT_HAS_COROUTINES
  using promise_type = ::netrt::impl::promise_type<IAsyncOperation<T>, T>;
#endif
};

// IAsyncOperationWithProgress<T, P>: an IAsyncOperation<T> that also reports progress. netrt
// operations that report (BackgroundTransfer's StartAsync/AttachAsync) take a Progress
// handler; the others (and coroutines) never report, so there a handler is refused
// (hresult_invalid_argument) or, once they ended, never called.
template <class T, class P>
class IAsyncOperationWithProgress;
template <class T, class P>
using AsyncOperationProgressHandler = ::netrt::delegate<IAsyncOperationWithProgress<T, P> const&, P const&>;

template <class T, class P>
class IAsyncOperationWithProgress : public IAsyncOperation<T> {
 public:
  using IAsyncOperation<T>::IAsyncOperation;
  IAsyncOperationWithProgress() noexcept = default;
  IAsyncOperationWithProgress(IAsyncOperation<T> op) noexcept : IAsyncOperation<T>(std::move(op)) {}

  // Sets the Progress handler (once). It runs on netrt's dispatcher thread with each report,
  // before the Completed handler; the payload is borrowed from the C library for the call.
  void Progress(AsyncOperationProgressHandler<T, P> const& handler) const {
    if (!this->handle()) ::netrt::throw_hresult(NETRT_E_ILLEGAL_METHOD_CALL, "this operation reports no progress");
    struct box {
      AsyncOperationProgressHandler<T, P> handler;
      IAsyncOperationWithProgress self;
    };
    auto* b = new box{handler, *this};
    auto trampoline = [](void* user_data, netrt_handle, netrt_handle progress) noexcept {
      auto* owned = static_cast<box*>(user_data);
      try {
        netrt_handle h = 0;
        if (netrt_duplicate(progress, &h) != NETRT_S_OK) return;
        P payload(take_ownership_from_abi, h);
        if (owned->handler) owned->handler(owned->self, payload);
      } catch (...) {
      }
    };
    auto release = [](void* user_data) noexcept { delete static_cast<box*>(user_data); };
    // netrt owns `b` from here: `release` frees it, also when the call fails.
    ::netrt::check_hresult(netrt_async_set_progress(this->handle(), trampoline, b, release));
  }
};

}  // namespace Windows::Foundation

// A coroutine return type that starts at once and reports nothing (C++/WinRT's
// fire_and_forget). An exception escaping it terminates the process, as in C++/WinRT.
struct fire_and_forget {
#if NETRT_HAS_COROUTINES
  struct promise_type {
    fire_and_forget get_return_object() const noexcept { return {}; }
    std::suspend_never initial_suspend() const noexcept { return {}; }
    std::suspend_never final_suspend() const noexcept { return {}; }
    void return_void() const noexcept {}
    void unhandled_exception() const noexcept { std::terminate(); }
  };
#endif
};

using Windows::Foundation::IAsyncAction;
using Windows::Foundation::IAsyncOperation;
using Windows::Foundation::IAsyncOperationWithProgress;
using Windows::Foundation::AsyncOperationProgressHandler;

}  // namespace netrt

#include "netrt/impl/classes.hpp"
#include "netrt/impl/background.hpp"
#include "netrt/impl/threading.hpp"
#include "netrt/impl/web.hpp"
#include "netrt/impl/capabilities.hpp"
#include "netrt/impl/storage.hpp"
#include "netrt/impl/background_transfer.hpp"

#endif  // NETRT_HPP
