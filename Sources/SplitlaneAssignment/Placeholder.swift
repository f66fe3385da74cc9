// Module SplitlaneAssignment: placeholder until its implementation lands.
