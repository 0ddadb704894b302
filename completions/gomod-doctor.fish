complete -c gomod-doctor -s m -l modfile -d 'Diagnose every requirement of this go.mod (after replace and exclude); its go.sum, when there is one beside it, is checked too' -r -F
complete -c gomod-doctor -l server -d 'Also ask this resolver for every host, to compare with this machine\'s answers (gomod-dnscheck --server): a DNS answer that differs, at an address that then fails, is named as the cause. IP[:PORT], tcp://, tls:// or https:// (DNS over HTTPS). May be repeated. The host names are sent to that resolver' -r
complete -c gomod-doctor -l resolv-conf -d 'Passed to gomod-dnscheck: read this resolv.conf instead of /etc/resolv.conf' -r -F
complete -c gomod-doctor -l hosts -d 'Passed to gomod-dnscheck: read this hosts file instead of /etc/hosts' -r -F
complete -c gomod-doctor -l nsswitch -d 'Passed to gomod-dnscheck: read this nsswitch.conf instead of /etc/nsswitch.conf' -r -F
complete -c gomod-doctor -l public-roots -d 'Passed to gomod-tlscheck: the roots that count as public (PEM; default: Mozilla\'s roots, built in)' -r -F
complete -c gomod-doctor -l report -d 'Also write a report to FILE, to attach to a bug or a support ticket: every record, the effective configuration and the versions (gomod-doctor, go), with every secret redacted' -r -F
complete -c gomod-doctor -s j -l jobs -d 'Probe up to N targets at the same time. Records still come in input order: one that is done waits for those before it without taking one of the N. The default keeps hundreds of requests in flight, so that on a distant network the round trips overlap instead of adding up; requests to one host share its connections (HTTP/2 streams of one connection, or a few HTTP/1.1 keep-alive connections), so many jobs cost little more than a few kilobytes each' -r
complete -c gomod-doctor -l timeout -d 'Give up waiting after this long (e.g. 500ms, 10s, 2m): for an answer (a DNS reply, a TLS handshake, an HTTP response\'s headers), and for a body that brings less than 1 KiB per second over this long (a body that keeps arriving faster is never cut off). The go command has no such limit and can wait forever on a server that never answers or trickles; this tool stops and says so in the error\'s message, with go_error null: go prints nothing there' -r
complete -c gomod-doctor -l connect-timeout -d 'Give up on one TCP connection after this long. The go command\'s own limit is 30s' -r
complete -c gomod-doctor -l deadline -d 'Give up on one target after this long, whatever it is waiting for: all its requests, retries and fall-backs together. Together with --connect-timeout and --timeout this bounds every probe (gomod-tools(7), TIME LIMITS)' -r
complete -c gomod-doctor -s f -l file -d 'Read targets from FILE, one per line: JSON records from another tool, or plain targets. `-` reads standard input. May be repeated' -r -F
complete -c gomod-doctor -l color -d 'Colour the text format: `auto` (when standard output is a terminal and NO_COLOR is empty or not set), `always` or `never`. JSON is never coloured' -r -f -a "auto\t'When the output it goes to is a terminal'
always\t'Always, even into a pipe or a file'
never\t'Never'"
complete -c gomod-doctor -l progress -d 'Show progress on standard error (targets done, out of how many, and the time left when the count is known): `auto` (when standard error is a terminal and the run takes a while), `always` (even into a pipe or a file) or `never`' -r -f -a "auto\t'When the output it goes to is a terminal'
always\t'Always, even into a pipe or a file'
never\t'Never'"
complete -c gomod-doctor -l format -d 'Output format: `text`, one readable line per record with its error and hint; or `json`, one compact JSON object per line. The default is text when standard output is a terminal and json when it is not (a pipe, a file), as ls(1) and rg(1) do. Neither ever shows a credential: passwords (of URLs, netrc, proxies) and Authorization headers are written as *** wherever they turn up, also when a server sends them back; man gomod-tools has the rule' -r -f -a "text\t''
json\t''
junit\t''"
complete -c gomod-doctor -l json -d 'The same as --format json'
complete -c gomod-doctor -s q -l quiet -d 'Write no records and show no progress: the exit status alone says whether every record is ok. Fatal errors are still reported on standard error'
complete -c gomod-doctor -l summary -d 'After all records, write a summary record with counts per error and warning code'
complete -c gomod-doctor -s h -l help -d 'Print help (see more with \'--help\')'
complete -c gomod-doctor -s V -l version -d 'Print version'
