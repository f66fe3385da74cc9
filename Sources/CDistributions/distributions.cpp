#include "CDistributions.h"
#include <boost/math/distributions/normal.hpp>

extern "C" double sl_normal_cdf(double x) {
    return boost::math::cdf(boost::math::normal_distribution<double>(), x);
}
