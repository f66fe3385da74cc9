#ifndef SPLITLANE_CDISTRIBUTIONS_H
#define SPLITLANE_CDISTRIBUTIONS_H
#ifdef __cplusplus
extern "C" {
#endif
/// Standard normal cumulative distribution function. Placeholder declaration.
double sl_normal_cdf(double x);
#ifdef __cplusplus
}
#endif
#endif
