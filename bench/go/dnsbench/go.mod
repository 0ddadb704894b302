module gomod-tools/bench/dnsbench

go 1.21
