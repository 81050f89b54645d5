# nginx.sh — start Debian's nginx (nginx-light) as a foreground child serving a folder on
# 127.0.0.1, for tests/integration/fetch.sh and tests/bench/bench.sh (sourced).
#
#   nginx_start DIR ROOT: config, pid, logs and temp folders in DIR; serves ROOT on a free
#   port. Sets NGINX_PORT and NGINX_PID (the caller stops it: kill $NGINX_PID). Returns 1 when
#   nginx did not accept connections within 10 s. The access log (DIR/access.log) has one line
#   per request: "URI STATUS range=RANGE if-range=IF_RANGE bytes=BODY_BYTES". Below /redir/
#   every request is redirected to file:///etc/passwd. NGINX_EXTRA (optional) is added inside
#   the http block: more server blocks (tests/integration/https.sh adds TLS servers; their
#   access_log lines may use the format `kk` above).
nginx_start() {
	local dir=$1 root=$2 bin
	bin=$(command -v nginx || echo /usr/sbin/nginx)
	mkdir -p "$dir/tmp"
	NGINX_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	cat >"$dir/nginx.conf" <<CONF
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log;
events { worker_connections 64; }
http {
  log_format kk escape=none '\$request_uri \$status range=\$http_range if-range=\$http_if_range bytes=\$body_bytes_sent';
  access_log $dir/access.log kk;
  client_body_temp_path $dir/tmp/body;
  proxy_temp_path $dir/tmp/proxy;
  fastcgi_temp_path $dir/tmp/fastcgi;
  uwsgi_temp_path $dir/tmp/uwsgi;
  scgi_temp_path $dir/tmp/scgi;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    root $root;
    # a hostile redirect to another scheme (fetch.sh): the kiosk must not follow it
    location /redir/ { add_header Location "file:///etc/passwd" always; return 302; }
  }
${NGINX_EXTRA:-}
}
CONF
	"$bin" -p "$dir" -c "$dir/nginx.conf" -g 'daemon off;' 2>"$dir/stderr" &
	NGINX_PID=$!
	timeout 10 bash -c "until (exec 3<>/dev/tcp/127.0.0.1/$NGINX_PORT) 2>/dev/null; do sleep 0.1; done"
}
