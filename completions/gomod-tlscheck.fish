complete -c gomod-tlscheck -l ca-file -d 'Verify as the go command would with SSL_CERT_FILE=FILE: to test a CA bundle before installing it. (Go adds the certificates of /etc/ssl/certs and the other default directories unless SSL_CERT_DIR says otherwise.) Certificate files, here and in the trust store, are read only when they are regular files of at most 16 MiB (gomod-tools(7), FILES)' -r -F
complete -c gomod-tlscheck -l public-roots -d 'The roots that count as public, PEM (default: Mozilla\'s roots, built in): for organisations with their own notion of public, and for tests' -r -F
complete -c gomod-tlscheck -s j -l jobs -d 'Probe up to N targets at the same time' -r
complete -c gomod-tlscheck -l timeout -d 'Give up waiting after this long (e.g. 500ms, 10s, 2m): for an answer (a DNS reply, a TLS handshake, an HTTP response\'s headers), and for a body that brings less than 1 KiB per second over this long (a body that keeps arriving faster is never cut off). The go command has no such limit and can wait forever on a server that never answers or trickles; this tool stops and says so' -r
complete -c gomod-tlscheck -l connect-timeout -d 'Give up on one TCP connection after this long. The go command\'s own limit is 30s' -r
complete -c gomod-tlscheck -l deadline -d 'Give up on one target after this long, whatever it is waiting for: all its requests, retries and fall-backs together. Together with --connect-timeout and --timeout this bounds every probe (gomod-tools(7), TIME LIMITS)' -r
complete -c gomod-tlscheck -s f -l file -d 'Read targets from FILE, one per line: JSON records from another tool, or plain targets. `-` reads standard input. May be repeated' -r -F
complete -c gomod-tlscheck -l format -d 'Output format: `json`, one compact JSON object per line; or `text`, one readable line per record with its error and hint' -r -f -a "json\t'One compact JSON object per line'
text\t'One readable line per record, with the error and its hint'"
complete -c gomod-tlscheck -l generate -d 'Write a man page or shell completion script to standard output' -r -f -a "man\t'The tool\'s man page (roff)'
man-reference\t'The record and error-code reference, gomod-tools(7) (roff)'
complete-bash\t'Bash completion'
complete-zsh\t'Zsh completion'
complete-fish\t'Fish completion'"
complete -c gomod-tlscheck -l summary -d 'After all records, write a summary record with counts per error and warning code'
complete -c gomod-tlscheck -s h -l help -d 'Print help (see more with \'--help\')'
complete -c gomod-tlscheck -s V -l version -d 'Print version'
