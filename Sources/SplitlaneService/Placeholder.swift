// Module SplitlaneService: placeholder until its implementation lands.
