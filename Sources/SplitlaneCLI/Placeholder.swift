// Module SplitlaneCLI: placeholder until its implementation lands.
