// Module SplitlaneStatistics: placeholder until its implementation lands.
