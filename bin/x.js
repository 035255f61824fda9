require("../dist/cli/bundle.js").main();
