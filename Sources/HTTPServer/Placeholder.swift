// Module HTTPServer: placeholder until its implementation lands.
