complete -c gomod-fetch -s m -l modfile -d 'Fetch every requirement of this go.mod file (after replace and exclude). May be repeated' -r -F
complete -c gomod-fetch -l what -d 'What to fetch, comma-separated: list, info, mod, zip. The default is what `go mod download` fetches' -r -f -a "(__fish_complete_list , 'string split , list,info,mod,zip')"
complete -c gomod-fetch -l retries -d 'Retry a request this many times after a transient failure (timeout, reset, refused, 429, 5xx), with exponential backoff and jitter, honouring Retry-After. The go command never retries, so the default is 0' -r
complete -c gomod-fetch -l cache -d 'Write what was fetched into a module cache at DIR, in the go command\'s layout (DIR/cache/download/...), atomically. Afterwards `GOMODCACHE=DIR GOPROXY=off go mod download` and `GOPROXY=file://DIR/cache/download go build` work offline. A version whose record is not ok writes nothing (the go command would use a cached .mod or .zip whatever else failed); temporary files a killed run of gomod-fetch left are removed once no process of this machine writes them (or a day after their last change), and nobody else\'s are touched' -r -F
complete -c gomod-fetch -l check-proxy -d 'Instead of fetching, probe the module proxy at URL for conformance: 404/410 for a module that cannot exist, case-escaped paths, @latest and the checksum database endpoint /sumdb/<name>/supported. When that answers 200 the go command takes every checksum request there, so the relayed database is tried too: its signed tree head (checked with GOSUMDB\'s key, sum.golang.org\'s without one), a data tile, and a lookup of the tile\'s first record with its proof. May be repeated' -r
complete -c gomod-fetch -s j -l jobs -d 'Probe up to N targets at the same time' -r
complete -c gomod-fetch -l timeout -d 'Give up waiting after this long (e.g. 500ms, 10s, 2m): for an answer (a DNS reply, a TLS handshake, an HTTP response\'s headers), and for a body that brings less than 1 KiB per second over this long (a body that keeps arriving faster is never cut off). The go command has no such limit and can wait forever on a server that never answers or trickles; this tool stops and says so in the error\'s message, with go_error null: go prints nothing there' -r
complete -c gomod-fetch -l connect-timeout -d 'Give up on one TCP connection after this long. The go command\'s own limit is 30s' -r
complete -c gomod-fetch -l deadline -d 'Give up on one target after this long, whatever it is waiting for: all its requests, retries and fall-backs together. Together with --connect-timeout and --timeout this bounds every probe (gomod-tools(7), TIME LIMITS)' -r
complete -c gomod-fetch -s f -l file -d 'Read targets from FILE, one per line: JSON records from another tool, or plain targets. `-` reads standard input. May be repeated' -r -F
complete -c gomod-fetch -l format -d 'Output format: `text`, one readable line per record with its error and hint; or `json`, one compact JSON object per line. The default is text when standard output is a terminal and json when it is not (a pipe, a file), as ls(1) and rg(1) do' -r -f -a "text\t'One readable line per record, with the error and its hint'
json\t'One compact JSON object per line'"
complete -c gomod-fetch -l color -d 'Colour the text format: `auto` (when standard output is a terminal and NO_COLOR is empty or not set), `always` or `never`. JSON is never coloured' -r -f -a "auto\t'When the output it goes to is a terminal'
always\t'Always, even into a pipe or a file'
never\t'Never'"
complete -c gomod-fetch -l progress -d 'Show progress on standard error (targets done, out of how many, and the time left when the count is known): `auto` (when standard error is a terminal and the run takes a while), `always` (even into a pipe or a file) or `never`' -r -f -a "auto\t'When the output it goes to is a terminal'
always\t'Always, even into a pipe or a file'
never\t'Never'"
complete -c gomod-fetch -l every-endpoint -d 'Fetch the version from every endpoint of the route, not only the first that answers, and write one record per endpoint with its hashes: a proxy serving a different zip shows up (feed the records to gomod-sumverify)'
complete -c gomod-fetch -l json -d 'The same as --format json'
complete -c gomod-fetch -s q -l quiet -d 'Write no records and show no progress: the exit status alone says whether every record is ok. Fatal errors are still reported on standard error'
complete -c gomod-fetch -l summary -d 'After all records, write a summary record with counts per error and warning code'
complete -c gomod-fetch -s h -l help -d 'Print help'
complete -c gomod-fetch -s V -l version -d 'Print version'
