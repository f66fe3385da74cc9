// C interface to the Boost.Math distributions splitlane's statistics need.
//
// Every function returns NaN when its arguments are outside the distribution's
// domain (a negative degree of freedom, a probability outside [0, 1], ...) and never
// throws or sets errno; infinities are returned where the mathematical answer is one.
#ifndef SPLITLANE_CDISTRIBUTIONS_H
#define SPLITLANE_CDISTRIBUTIONS_H

#ifdef __cplusplus
extern "C" {
#endif

/// Standard normal cumulative distribution function P(Z <= x).
double sl_normal_cdf(double x);

/// Standard normal survival function P(Z > x), accurate in the upper tail.
double sl_normal_sf(double x);

/// Standard normal quantile: the x with P(Z <= x) = p.
double sl_normal_quantile(double p);

/// Student's t cumulative distribution function with real degrees of freedom df > 0.
double sl_students_t_cdf(double t, double df);

/// Student's t survival function P(T > t) with real degrees of freedom df > 0.
double sl_students_t_sf(double t, double df);

/// Student's t quantile: the t with P(T <= t) = p.
double sl_students_t_quantile(double p, double df);

/// Chi-square survival function P(X > x) with df > 0 degrees of freedom.
double sl_chi_squared_sf(double x, double df);

/// Chi-square quantile: the x with P(X <= x) = p.
double sl_chi_squared_quantile(double p, double df);

/// Beta(a, b) quantile: the x with P(X <= x) = p.
double sl_beta_quantile(double p, double a, double b);

/// Natural logarithm of the absolute value of the gamma function.
double sl_log_gamma(double x);

/// Hypergeometric probability P(X = k): k successes in `draws` items drawn without
/// replacement from `population` items of which `successes` are successes.
double sl_hypergeometric_pmf(
    unsigned long long k, unsigned long long successes, unsigned long long draws,
    unsigned long long population);

/// Hypergeometric cumulative distribution function P(X <= k).
double sl_hypergeometric_cdf(
    unsigned long long k, unsigned long long successes, unsigned long long draws,
    unsigned long long population);

/// Hypergeometric survival function P(X > k).
double sl_hypergeometric_sf(
    unsigned long long k, unsigned long long successes, unsigned long long draws,
    unsigned long long population);

#ifdef __cplusplus
}
#endif

#endif
