module gomod-tools/bench/netserver

go 1.24
