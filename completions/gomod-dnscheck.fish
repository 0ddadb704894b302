complete -c gomod-dnscheck -l server -d 'Also ask this resolver, side by side: IP[:PORT] (UDP, TCP after a truncated answer), tcp://IP[:PORT], tls://IP[:PORT][#NAME] (DNS over TLS), or https://HOST/PATH (DNS over HTTPS). May be repeated' -r
complete -c gomod-dnscheck -l resolv-conf -d 'Read this resolv.conf instead of /etc/resolv.conf (to diagnose another machine\'s or a container\'s files). These three files must be regular files: a named pipe or a device is refused rather than waited on (gomod-tools(7), FILES)' -r -F
complete -c gomod-dnscheck -l hosts -d 'Read this hosts file instead of /etc/hosts' -r -F
complete -c gomod-dnscheck -l nsswitch -d 'Read this nsswitch.conf instead of /etc/nsswitch.conf (its `hosts:` line decides whether the hosts file comes before DNS, after it, or alone)' -r -F
complete -c gomod-dnscheck -s j -l jobs -d 'Probe up to N targets at the same time. Records still come in input order: one that is done waits for those before it without taking one of the N. The default keeps hundreds of requests in flight, so that on a distant network the round trips overlap instead of adding up; requests to one host share its connections (HTTP/2 streams of one connection, or a few HTTP/1.1 keep-alive connections), so many jobs cost little more than a few kilobytes each' -r
complete -c gomod-dnscheck -l timeout -d 'Give up waiting after this long (e.g. 500ms, 10s, 2m): for an answer (a DNS reply, a TLS handshake, an HTTP response\'s headers), and for a body that brings less than 1 KiB per second over this long (a body that keeps arriving faster is never cut off). The go command has no such limit and can wait forever on a server that never answers or trickles; this tool stops and says so in the error\'s message, with go_error null: go prints nothing there' -r
complete -c gomod-dnscheck -l connect-timeout -d 'Give up on one TCP connection after this long. The go command\'s own limit is 30s' -r
complete -c gomod-dnscheck -l deadline -d 'Give up on one target after this long, whatever it is waiting for: all its requests, retries and fall-backs together. Together with --connect-timeout and --timeout this bounds every probe (gomod-tools(7), TIME LIMITS)' -r
complete -c gomod-dnscheck -s f -l file -d 'Read targets from FILE, one per line: JSON records from another tool, or plain targets. `-` reads standard input. May be repeated' -r -F
complete -c gomod-dnscheck -l format -d 'Output format: `text`, one readable line per record with its error and hint; or `json`, one compact JSON object per line. The default is text when standard output is a terminal and json when it is not (a pipe, a file), as ls(1) and rg(1) do. Neither ever shows a credential: passwords (of URLs, netrc, proxies) and Authorization headers are written as *** wherever they turn up, also when a server sends them back; man gomod-tools has the rule' -r -f -a "text\t'One readable line per record, with the error and its hint'
json\t'One compact JSON object per line'"
complete -c gomod-dnscheck -l color -d 'Colour the text format: `auto` (when standard output is a terminal and NO_COLOR is empty or not set), `always` or `never`. JSON is never coloured' -r -f -a "auto\t'When the output it goes to is a terminal'
always\t'Always, even into a pipe or a file'
never\t'Never'"
complete -c gomod-dnscheck -l progress -d 'Show progress on standard error (targets done, out of how many, and the time left when the count is known): `auto` (when standard error is a terminal and the run takes a while), `always` (even into a pipe or a file) or `never`' -r -f -a "auto\t'When the output it goes to is a terminal'
always\t'Always, even into a pipe or a file'
never\t'Never'"
complete -c gomod-dnscheck -l no-system -d 'Only the --server resolvers; no system view'
complete -c gomod-dnscheck -l json -d 'The same as --format json'
complete -c gomod-dnscheck -s q -l quiet -d 'Write no records and show no progress: the exit status alone says whether every record is ok. Fatal errors are still reported on standard error'
complete -c gomod-dnscheck -l summary -d 'After all records, write a summary record with counts per error and warning code'
complete -c gomod-dnscheck -s h -l help -d 'Print help'
complete -c gomod-dnscheck -s V -l version -d 'Print version'
