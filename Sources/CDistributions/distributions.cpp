// Boost.Math behind a C boundary: no exception and no errno ever crosses it.
#include "CDistributions.h"

#include <boost/math/distributions/beta.hpp>
#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/hypergeometric.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <boost/math/policies/policy.hpp>
#include <boost/math/special_functions/gamma.hpp>

#include <limits>

namespace {

namespace bm = boost::math;
namespace pol = boost::math::policies;

// Errors become return values (NaN for a domain error, infinity for an overflow),
// never exceptions and never errno. Discrete quantiles are not used here.
using Quiet = pol::policy<
    pol::domain_error<pol::ignore_error>,
    pol::pole_error<pol::ignore_error>,
    pol::overflow_error<pol::ignore_error>,
    pol::underflow_error<pol::ignore_error>,
    pol::denorm_error<pol::ignore_error>,
    pol::evaluation_error<pol::ignore_error>,
    pol::rounding_error<pol::ignore_error>,
    pol::indeterminate_result_error<pol::ignore_error>>;

using Normal = bm::normal_distribution<double, Quiet>;
using StudentsT = bm::students_t_distribution<double, Quiet>;
using ChiSquared = bm::chi_squared_distribution<double, Quiet>;
using Beta = bm::beta_distribution<double, Quiet>;
using Hypergeometric = bm::hypergeometric_distribution<double, Quiet>;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Runs `body`, turning any exception that still escapes Boost into NaN.
template <typename Body>
double guarded(Body body) noexcept {
    try {
        return body();
    } catch (...) {
        return kNaN;
    }
}

// True when a hypergeometric parameter set is valid: successes and draws fit in
// the population, and the population fits Boost's 32-bit unsigned parameters.
bool validHypergeometric(
    unsigned long long successes, unsigned long long draws,
    unsigned long long population) {
    return population <= std::numeric_limits<unsigned>::max() &&
        successes <= population && draws <= population;
}

// Validates the parameters, builds the distribution and hands it, with its support,
// to `body`; NaN for invalid parameters or an escaping exception.
template <typename Body>
double withHypergeometric(
    unsigned long long successes, unsigned long long draws,
    unsigned long long population, Body body) noexcept {
    if (!validHypergeometric(successes, draws, population)) return kNaN;
    return guarded([&] {
        Hypergeometric d(
            static_cast<unsigned>(successes), static_cast<unsigned>(draws),
            static_cast<unsigned>(population));
        return body(d, bm::range(d));
    });
}

}  // namespace

extern "C" double sl_normal_cdf(double x) {
    return guarded([&] { return bm::cdf(Normal(), x); });
}

extern "C" double sl_normal_sf(double x) {
    return guarded([&] { return bm::cdf(bm::complement(Normal(), x)); });
}

extern "C" double sl_normal_quantile(double p) {
    return guarded([&] { return bm::quantile(Normal(), p); });
}

extern "C" double sl_students_t_cdf(double t, double df) {
    return guarded([&] { return bm::cdf(StudentsT(df), t); });
}

extern "C" double sl_students_t_sf(double t, double df) {
    return guarded([&] { return bm::cdf(bm::complement(StudentsT(df), t)); });
}

extern "C" double sl_students_t_quantile(double p, double df) {
    return guarded([&] { return bm::quantile(StudentsT(df), p); });
}

extern "C" double sl_chi_squared_sf(double x, double df) {
    return guarded([&] { return bm::cdf(bm::complement(ChiSquared(df), x)); });
}

extern "C" double sl_chi_squared_quantile(double p, double df) {
    return guarded([&] { return bm::quantile(ChiSquared(df), p); });
}

extern "C" double sl_beta_quantile(double p, double a, double b) {
    return guarded([&] { return bm::quantile(Beta(a, b), p); });
}

extern "C" double sl_log_gamma(double x) {
    return guarded([&] { return bm::lgamma(x, Quiet()); });
}

extern "C" double sl_hypergeometric_pmf(
    unsigned long long k, unsigned long long successes, unsigned long long draws,
    unsigned long long population) {
    return withHypergeometric(successes, draws, population, [&](auto &d, auto range) {
        if (k < range.first || k > range.second) return 0.0;
        return bm::pdf(d, static_cast<unsigned>(k));
    });
}

extern "C" double sl_hypergeometric_cdf(
    unsigned long long k, unsigned long long successes, unsigned long long draws,
    unsigned long long population) {
    return withHypergeometric(successes, draws, population, [&](auto &d, auto range) {
        if (k < range.first) return 0.0;
        if (k >= range.second) return 1.0;
        return bm::cdf(d, static_cast<unsigned>(k));
    });
}

extern "C" double sl_hypergeometric_sf(
    unsigned long long k, unsigned long long successes, unsigned long long draws,
    unsigned long long population) {
    return withHypergeometric(successes, draws, population, [&](auto &d, auto range) {
        if (k < range.first) return 1.0;
        if (k >= range.second) return 0.0;
        return bm::cdf(bm::complement(d, static_cast<unsigned>(k)));
    });
}
