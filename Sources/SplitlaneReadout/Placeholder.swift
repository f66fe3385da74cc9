// Module SplitlaneReadout: placeholder until its implementation lands.
