// Module SplitlaneStorage: placeholder until its implementation lands.
