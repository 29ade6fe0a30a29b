# Shared settings for the project's scripts; sourced, never run.
# Everything lives under var/ in the checkout so a clone is self-contained and removable.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VAR="$ROOT/var"
export TRUST_AMQP_PORT="${TRUST_AMQP_PORT:-5672}"
export TRUST_MGMT_PORT="${TRUST_MGMT_PORT:-15672}"
RMQ_DIR="$VAR/rabbitmq"
# The node's own environment: data, logs, config and the Erlang cookie (through HOME) stay
# under var/rabbitmq, so the node never touches /var/lib/rabbitmq or the user's home.
rmq_env() {
  # Call the real scripts, not Debian's /usr/sbin wrappers, which switch to the rabbitmq user
  # and could then neither write var/ nor share our Erlang cookie.
  export PATH="/usr/lib/rabbitmq/bin:$PATH"
  export HOME="$RMQ_DIR/home"
  export RABBITMQ_NODENAME="trust-${TRUST_AMQP_PORT}@localhost"
  export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
  export RABBITMQ_NODE_PORT="$TRUST_AMQP_PORT"
  export RABBITMQ_DIST_PORT="$((TRUST_AMQP_PORT + 20000))"
  export ERL_EPMD_ADDRESS=127.0.0.1
  export RABBITMQ_MNESIA_BASE="$RMQ_DIR/mnesia"
  export RABBITMQ_LOG_BASE="$RMQ_DIR/log"
  export RABBITMQ_PID_FILE="$RMQ_DIR/node.pid"
  export RABBITMQ_CONFIG_FILE="$RMQ_DIR/rabbitmq.conf"
  export RABBITMQ_ENABLED_PLUGINS_FILE="$RMQ_DIR/enabled_plugins"
  export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
  mkdir -p "$HOME" "$RABBITMQ_MNESIA_BASE" "$RABBITMQ_LOG_BASE"
}
log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
# Installs what is missing, puts Swift on PATH and builds in `$1` mode (debug or release);
# sets BIN to the build's executables. The shared start of test, demo, bench and chaos.
prepare_build() {
  "$ROOT/scripts/setup"
  export PATH="/opt/swift/usr/bin:$PATH"
  log "$(basename "$0"): building ($1)"
  (cd "$ROOT" && swift build -c "$1" ${2:+"$2"} 2>&1 | tail -1)
  BIN="$(cd "$ROOT" && swift build -c "$1" --show-bin-path)"
  export BIN
}
