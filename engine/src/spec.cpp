// Network spec: construction, validation, parameter listing and the text form.
//
// Text grammar (layers joined by '-', options joined by ':'):
//   c<k>x<filters>[:relu|tanh|sigmoid|linear][:same|valid][:s<stride>]   convolution
//   m<window>   max pooling          a<window>   average pooling
//   d<units>[:relu|tanh|sigmoid|linear]                                 dense
//   p<rate>     dropout, rate in (0, 1), e.g. p0.5
// e.g. the reference network is "c5x8:relu-m2-c5x16:relu-m2-d128:relu-d10".
#include "convscope/spec.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <climits>
#include <map>
#include <sstream>
#include <string_view>

#include "float_text.h"
#include "text_fields.h"

namespace cs {

namespace {

int conv_out(int in, int k, int stride, Padding pad) {
  if (pad == Padding::Same) return (in + stride - 1) / stride;
  return in < k ? 0 : (in - k) / stride + 1;
}

int parse_int(const std::string& s, int layer, const char* what) {
  if (s.empty() || s.size() > 6 || s.find_first_not_of("0123456789") != std::string::npos)
    throw SpecError(layer, std::string("expected a number for the ") + what + ", got '" + s + "'");
  return std::stoi(s);
}

Activation parse_activation(const std::string& s, int layer) {
  if (s == "relu") return Activation::Relu;
  if (s == "tanh") return Activation::Tanh;
  if (s == "sigmoid") return Activation::Sigmoid;
  if (s == "linear") return Activation::None;
  throw SpecError(layer, "unknown option '" + s + "'");
}

float parse_rate(const std::string& s, int layer) {
  float rate = 0;
  const char* end = s.data() + s.size();
  const auto [ptr, ec] = std::from_chars(s.data(), end, rate);
  if (s.empty() || ec != std::errc() || ptr != end)
    throw SpecError(layer, "expected a number for the dropout rate, got '" + s + "'");
  return rate;
}

// The layer before i that is not a dropout (-1: none): what a convolution or pooling follows.
int previous_kept(const std::vector<LayerSpec>& layers, size_t i) {
  int j = static_cast<int>(i) - 1;
  while (j >= 0 && layers[j].kind == LayerKind::Dropout) --j;
  return j;
}

long long map_values(const Shape3& s) {  // c * h * w without overflow (each is an int)
  const unsigned __int128 n = static_cast<unsigned __int128>(std::max(s.c, 0)) *
                              static_cast<unsigned>(std::max(s.h, 0)) *
                              static_cast<unsigned>(std::max(s.w, 0));
  return n > static_cast<unsigned __int128>(LLONG_MAX) ? LLONG_MAX : static_cast<long long>(n);
}

// Weights and biases of layer `l` on an input map `in` (both already checked to be positive and
// within kMaxMapValues), exactly: at most 10^6 * 2^24 * 10^12, far inside 128 bits.
unsigned __int128 layer_params(const LayerSpec& l, const Shape3& in) {
  using u128 = unsigned __int128;
  if (l.kind == LayerKind::Conv2d)
    return u128(l.units) * u128(in.c) * u128(l.kernel) * u128(l.kernel) + u128(l.units);
  if (l.kind == LayerKind::Dense) return u128(l.units) * u128(map_values(in)) + u128(l.units);
  return 0;
}

// A convolution's input as its GEMM reads it, per image (kMaxUnfoldedValues); 0 for other layers.
unsigned __int128 unfolded_values(const LayerSpec& l, const Shape3& in, const Shape3& out) {
  using u128 = unsigned __int128;
  if (l.kind != LayerKind::Conv2d) return 0;
  return u128(in.c) * u128(l.kernel) * u128(l.kernel) * u128(map_values({1, out.h, out.w}));
}

std::string count_text(unsigned __int128 n) {
  std::string s;
  do {
    s.insert(s.begin(), static_cast<char>('0' + static_cast<int>(n % 10)));
    n /= 10;
  } while (n);
  return s;
}

}  // namespace

SpecError::SpecError(int layer, const std::string& what)
    : Error(ErrorKind::Architecture, "layer " + std::to_string(layer) + ": " + what),
      m_layer(layer) {}

LayerSpec LayerSpec::conv(int kernel, int filters, Activation act, int stride, Padding pad) {
  return {LayerKind::Conv2d, kernel, filters, stride, pad, act};
}
LayerSpec LayerSpec::max_pool(int window) {
  return {LayerKind::MaxPool, window, 0, window};
}
LayerSpec LayerSpec::avg_pool(int window) {
  return {LayerKind::AvgPool, window, 0, window};
}
LayerSpec LayerSpec::dense(int units, Activation act) {
  return {LayerKind::Dense, 0, units, 1, Padding::Valid, act};
}
LayerSpec LayerSpec::dropout(float rate) {
  return {LayerKind::Dropout, 0, 0, 1, Padding::Valid, Activation::None, rate};
}

long long ParamInfo::size() const {
  long long n = 1;
  for (int d : shape) n *= d;
  return n;
}

NetworkSpec NetworkSpec::reference(Shape3 input, int classes) {
  NetworkSpec s;
  s.input = input;
  s.classes = classes;
  s.layers = {LayerSpec::conv(5, 8),
              LayerSpec::max_pool(2),
              LayerSpec::conv(5, 16),
              LayerSpec::max_pool(2),
              LayerSpec::dense(128, Activation::Relu),
              LayerSpec::dense(classes)};
  return s;
}

std::vector<Shape3> NetworkSpec::output_shapes() const {
  if (input.c < 1 || input.h < 1 || input.w < 1) throw SpecError(0, "the input image is empty");
  if (map_values(input) > kMaxMapValues)
    throw SpecError(0, "the input image " + cs::to_string(input) + " has more than " +
                           std::to_string(kMaxMapValues) + " values");
  if (layers.empty()) throw SpecError(0, "the network has no layers");
  std::vector<Shape3> shapes;
  Shape3 cur = input;
  unsigned __int128 params = 0;
  for (size_t i = 0; i < layers.size(); ++i) {
    const LayerSpec& l = layers[i];
    const int n = static_cast<int>(i) + 1;
    Shape3 out;
    switch (l.kind) {
      case LayerKind::Conv2d: {
        if (const int before = previous_kept(layers, i);
            cur.h == 1 && cur.w == 1 && before >= 0 && layers[before].kind == LayerKind::Dense)
          throw SpecError(n, "a convolution cannot follow a dense layer");
        if (l.kernel < 1) throw SpecError(n, "kernel size must be at least 1");
        if (l.units < 1) throw SpecError(n, "filter count must be at least 1");
        if (l.stride < 1) throw SpecError(n, "stride must be at least 1");
        out = {l.units, conv_out(cur.h, l.kernel, l.stride, l.padding),
               conv_out(cur.w, l.kernel, l.stride, l.padding)};
        if (l.padding == Padding::Valid && (l.kernel > cur.h || l.kernel > cur.w))
          throw SpecError(n, describe(l) + ": a " + std::to_string(l.kernel) + "x" +
                                 std::to_string(l.kernel) + " kernel does not fit the " +
                                 std::to_string(cur.h) + "x" + std::to_string(cur.w) +
                                 " input map (the output would be empty)");
        break;
      }
      case LayerKind::MaxPool:
      case LayerKind::AvgPool:
        if (l.kernel < 1) throw SpecError(n, "pool window must be at least 1");
        if (const int before = previous_kept(layers, i);
            before >= 0 && layers[before].kind == LayerKind::Dense)
          throw SpecError(n, "pooling cannot follow a dense layer");
        out = {cur.c, cur.h / l.kernel, cur.w / l.kernel};
        if (out.h < 1 || out.w < 1)
          throw SpecError(n, describe(l) + ": a " + std::to_string(l.kernel) + "x" +
                                 std::to_string(l.kernel) + " window does not fit the " +
                                 std::to_string(cur.h) + "x" + std::to_string(cur.w) +
                                 " input map (the output would be empty)");
        break;
      case LayerKind::Dense:
        if (l.units < 1) throw SpecError(n, "a dense layer needs at least 1 unit");
        out = {l.units, 1, 1};
        break;
      case LayerKind::Dropout:
        // not `rate > 0 && rate < 1`: that lets NaN through
        if (!(l.rate > 0.f) || !(l.rate < 1.f))
          throw SpecError(n, "a dropout rate must lie between 0 and 1 (both excluded), got " +
                                 float_text(l.rate));
        out = cur;
        break;
    }
    if (map_values(out) > kMaxMapValues)
      throw SpecError(n, "network too large: " + describe(l) + " gives " + cs::to_string(out) +
                             " = " + std::to_string(map_values(out)) +
                             " values per image, the limit is " + std::to_string(kMaxMapValues));
    params += layer_params(l, cur);
    if (params > static_cast<unsigned __int128>(kMaxParams))
      throw SpecError(n, "network too large: " + count_text(params) + " parameters, the limit is " +
                             std::to_string(kMaxParams));
    // 'same' padding bounds no kernel by the map: what a convolution reads is bounded instead.
    if (const unsigned __int128 unfolded = unfolded_values(l, cur, out);
        unfolded > static_cast<unsigned __int128>(kMaxUnfoldedValues))
      throw SpecError(n, "network too large: " + describe(l) + " on a " + cs::to_string(cur) +
                             " map reads " + count_text(unfolded) +
                             " input values per image (channels x kernel x kernel x output "
                             "pixels), the limit is " +
                             std::to_string(kMaxUnfoldedValues));
    shapes.push_back(out);
    cur = out;
  }
  const LayerSpec& last = layers.back();
  const int n = static_cast<int>(layers.size());
  if (last.kind != LayerKind::Dense || last.units != classes)
    throw SpecError(n, "the last layer must be dense " + std::to_string(classes) +
                           " (one logit per class), got " + describe(last) + " with output " +
                           cs::to_string(cur));
  if (last.activation != Activation::None)
    throw SpecError(n, "the last layer must have no activation (softmax is part of the loss)");
  return shapes;
}

std::vector<std::string> NetworkSpec::layer_names() const {
  std::vector<std::string> names;
  int convs = 0, pools = 0, fcs = 0, dropouts = 0;
  for (const LayerSpec& l : layers) {
    switch (l.kind) {
      case LayerKind::Conv2d:
        names.push_back("conv" + std::to_string(++convs));
        break;
      case LayerKind::MaxPool:
      case LayerKind::AvgPool:
        names.push_back("pool" + std::to_string(++pools));
        break;
      case LayerKind::Dense:
        names.push_back("fc" + std::to_string(++fcs));
        break;
      case LayerKind::Dropout:
        names.push_back("dropout" + std::to_string(++dropouts));
        break;
    }
  }
  return names;
}

std::vector<ParamInfo> NetworkSpec::params() const {
  const std::vector<Shape3> shapes = output_shapes();
  const std::vector<std::string> names = layer_names();
  std::vector<ParamInfo> out;
  Shape3 in = input;
  for (size_t i = 0; i < layers.size(); ++i) {
    const LayerSpec& l = layers[i];
    const int li = static_cast<int>(i);
    const std::string& base = names[i];
    if (l.kind == LayerKind::Conv2d) {
      const int k2 = l.kernel * l.kernel;
      out.push_back({base + ".weight",
                     {l.units, in.c, l.kernel, l.kernel},
                     li,
                     false,
                     in.c * k2,
                     l.units * k2});
      out.push_back({base + ".bias", {l.units}, li, true, in.c * k2, l.units * k2});
    } else if (l.kind == LayerKind::Dense) {
      out.push_back({base + ".weight", {l.units, in.size()}, li, false, in.size(), l.units});
      out.push_back({base + ".bias", {l.units}, li, true, in.size(), l.units});
    }
    in = shapes[i];
  }
  return out;
}

long long NetworkSpec::param_count() const {
  long long n = 0;
  for (const ParamInfo& p : params()) n += p.size();
  return n;
}

std::string NetworkSpec::to_string() const {
  std::ostringstream os;
  for (size_t i = 0; i < layers.size(); ++i) {
    const LayerSpec& l = layers[i];
    if (i) os << '-';
    switch (l.kind) {
      case LayerKind::Conv2d:
        os << 'c' << l.kernel << 'x' << l.units;
        if (l.activation != Activation::None) os << ':' << cs::to_string(l.activation);
        if (l.padding == Padding::Same) os << ":same";
        if (l.stride != 1) os << ":s" << l.stride;
        break;
      case LayerKind::MaxPool:
        os << 'm' << l.kernel;
        break;
      case LayerKind::AvgPool:
        os << 'a' << l.kernel;
        break;
      case LayerKind::Dense:
        os << 'd' << l.units;
        if (l.activation != Activation::None) os << ':' << cs::to_string(l.activation);
        break;
      case LayerKind::Dropout:
        os << 'p' << float_text(l.rate);
        break;
    }
  }
  return os.str();
}

NetworkSpec NetworkSpec::parse(const std::string& text, Shape3 input, int classes) {
  NetworkSpec s;
  s.input = input;
  s.classes = classes;
  const std::vector<std::string> tokens = split_fields(text, '-');
  for (size_t i = 0; i < tokens.size(); ++i) {
    const int n = static_cast<int>(i) + 1;
    const std::vector<std::string> opts = split_fields(tokens[i], ':');
    const std::string& head = opts[0];
    if (head.empty()) throw SpecError(n, "empty layer in '" + text + "'");
    LayerSpec l;
    const std::string body = head.substr(1);
    // Each option one way: "c5x8:relu:tanh" is no layer ("relu:relu", as sweeps may have stored
    // it, is relu).
    std::map<std::string_view, std::string> given;
    const auto once = [&](std::string_view option, const std::string& value) {
      const auto [at, added] = given.emplace(option, value);
      if (!added && at->second != value)
        throw SpecError(n, "the " + std::string(option) + " is given twice in '" + tokens[i] + "'");
    };
    switch (head[0]) {
      case 'c': {
        const size_t x = body.find('x');
        if (x == std::string::npos)
          throw SpecError(n, "a convolution is written c<kernel>x<filters>, got '" + head + "'");
        l = LayerSpec::conv(parse_int(body.substr(0, x), n, "kernel size"),
                            parse_int(body.substr(x + 1), n, "filter count"), Activation::None);
        for (size_t j = 1; j < opts.size(); ++j) {
          if (opts[j] == "same" || opts[j] == "valid") {
            once("padding", opts[j]);
            l.padding = opts[j] == "same" ? Padding::Same : Padding::Valid;
          } else if (opts[j].size() > 1 && opts[j][0] == 's' &&
                     std::isdigit(static_cast<unsigned char>(opts[j][1]))) {
            l.stride = parse_int(opts[j].substr(1), n, "stride");
            once("stride", std::to_string(l.stride));
          } else {
            l.activation = parse_activation(opts[j], n);  // an unknown option first
            once("activation", opts[j]);
          }
        }
        break;
      }
      case 'm':
      case 'a':
        if (opts.size() > 1)
          throw SpecError(n, "pooling takes no options, got '" + tokens[i] + "'");
        l = head[0] == 'm' ? LayerSpec::max_pool(parse_int(body, n, "pool window"))
                           : LayerSpec::avg_pool(parse_int(body, n, "pool window"));
        break;
      case 'd':
        l = LayerSpec::dense(parse_int(body, n, "unit count"));
        for (size_t j = 1; j < opts.size(); ++j) {
          l.activation = parse_activation(opts[j], n);
          once("activation", opts[j]);
        }
        break;
      case 'p':
        if (opts.size() > 1)
          throw SpecError(n, "dropout takes no options, got '" + tokens[i] + "'");
        l = LayerSpec::dropout(parse_rate(body, n));
        break;
      default:
        throw SpecError(n, "unknown layer '" + head + "' (expected c, m, a, d or p)");
    }
    s.layers.push_back(l);
  }
  s.validate();
  return s;
}

std::string to_string(Activation a) {
  switch (a) {
    case Activation::None:
      return "linear";
    case Activation::Relu:
      return "relu";
    case Activation::Tanh:
      return "tanh";
    case Activation::Sigmoid:
      return "sigmoid";
  }
  return "?";
}

std::string to_string(const Shape3& s) {
  return std::to_string(s.c) + "x" + std::to_string(s.h) + "x" + std::to_string(s.w);
}

std::string to_string(LayerKind k) {
  switch (k) {
    case LayerKind::Conv2d:
      return "conv";
    case LayerKind::MaxPool:
      return "maxpool";
    case LayerKind::AvgPool:
      return "avgpool";
    case LayerKind::Dense:
      return "dense";
    case LayerKind::Dropout:
      return "dropout";
  }
  return "?";
}

std::string describe(const LayerSpec& l) {
  std::string s = to_string(l.kind) + " ";
  switch (l.kind) {
    case LayerKind::Conv2d:
      s +=
          std::to_string(l.kernel) + "x" + std::to_string(l.kernel) + "x" + std::to_string(l.units);
      if (l.stride != 1) s += " stride " + std::to_string(l.stride);
      if (l.padding == Padding::Same) s += " same";
      break;
    case LayerKind::MaxPool:
    case LayerKind::AvgPool:
      s += std::to_string(l.kernel);
      break;
    case LayerKind::Dense:
      s += std::to_string(l.units);
      break;
    case LayerKind::Dropout:
      s += float_text(l.rate);
      break;
  }
  if (l.has_params() && l.activation != Activation::None) s += " " + to_string(l.activation);
  return s;
}

}  // namespace cs
