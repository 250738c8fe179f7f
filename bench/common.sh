# Shared by the bench scripts (sourced, not run).

# Prints a TCP port on 127.0.0.1 that nothing listens on, or fails.
free_port() {
  local p
  for _ in $(seq 1 50); do
    p=$((20000 + RANDOM % 30000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return 0
    fi
  done
  return 1
}
