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

# Copies the bench module's jar (else bench/target/classes) and every jar of bench/target/bench.classpath into $1/classpath and
# sets CLASSPATH_BENCH to the copies: other builds on this machine may rewrite bench/target or
# ~/.m2 while a bench runs, and a JVM whose jar is replaced under it fails to load classes.
private_classpath() {
  local dir=$1/classpath entry copy i=0 cp_entries
  mkdir -p "$dir/jars"
  # The bench module's jar rather than its classes directory: class-data sharing takes jars only.
  local jar
  jar=$(ls "$REPO_ROOT"/bench/target/cellar-bench-*.jar 2>/dev/null | head -n 1)
  if [ -n "$jar" ]; then
    cp "$jar" "$dir/cellar-bench.jar"
    CLASSPATH_BENCH=$dir/cellar-bench.jar
  else
    cp -r "$REPO_ROOT/bench/target/classes" "$dir/classes"
    CLASSPATH_BENCH=$dir/classes
  fi
  IFS=: read -r -a cp_entries <"$REPO_ROOT/bench/target/bench.classpath" || true   # (no newline at its end)
  for entry in "${cp_entries[@]}"; do
    [ -n "$entry" ] || continue
    i=$((i + 1))
    copy=$dir/jars/$(printf '%03d' "$i")-$(basename "$entry")
    cp -r "$entry" "$copy"
    CLASSPATH_BENCH=$CLASSPATH_BENCH:$copy
  done
}
