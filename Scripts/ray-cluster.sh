#!/usr/bin/env bash
# ray-cluster.sh: start or stop a Ray for Swift cluster on many machines over ssh (the seed's
# start_ray.sh and stop_ray.sh).
#
#   ray-cluster.sh up   --head HOST --workers FILE [--port P] [--num-cpus N] [--ray PATH]
#                       [--ssh CMD] [--parallel N] [--token-file F]
#   ray-cluster.sh down --head HOST --workers FILE [--port P] [--ray PATH] [--ssh CMD]
#                       [--parallel N] [--token-file F] [--force]
#   ray-cluster.sh --help
#
# up    runs `ray start --head --port P --node-ip-address HOST` on the head, fetches the cluster
#       token the head wrote, copies it to every worker (through ssh's stdin into a file of mode
#       0600, never on a command line), then runs `ray start --address HOST:P --token-file F
#       --node-ip-address WORKER` on every worker, N at a time. Exits 1 naming the hosts that
#       failed; each host's output is printed prefixed with `[host]`.
# down  runs `ray stop` on every worker (N at a time), removes their copy of the token, then runs
#       `ray stop` on the head. Exits 1 naming the hosts that failed.
#
#   --head HOST       the head's address: ssh connects to it and the cluster uses it
#   --workers FILE    one worker address per line; `#` starts a comment; blank lines are ignored
#   --port P          the head's port (default 6379)
#   --num-cpus N      passed to every `ray start` (default: ray's own, all the host's cores)
#   --ray PATH        the ray command on the hosts (default `ray`, or $RAY_CLUSTER_RAY)
#   --ssh CMD         how to reach a host: CMD HOST COMMAND (default `ssh`, or $RAY_CLUSTER_SSH);
#                     split on spaces, so `--ssh "ssh -i key -o BatchMode=yes"` works
#   --parallel N      hosts handled at once (default 16)
#   --token-file F    where workers keep the token (default ~/.ray/cluster-token-HEAD-P, in the
#                     worker's home); give down the same --port and --token-file as up
#   --force           down: `ray stop --force`
#
# Every host must have the program and the ray command at the same paths (as with the seed's
# scripts), and ssh must log in without a password prompt. If the head's output does not name
# its token file (`--token-file PATH` in the join command it prints), set
# RAY_CLUSTER_HEAD_TOKEN_FILE to the file's path on the head.
set -euo pipefail

program=$(basename "$0")

usage() {
    sed -n '2,/^set -euo pipefail$/{/^set /d;s/^# \{0,1\}//;p;}' "$0"
}

fail_usage() {
    echo "$program: $*" >&2
    echo "Run '$program --help' for usage." >&2
    exit 2
}

# Quotes one word for a POSIX shell on the far side of ssh.
quote() {
    local escaped=${1//\'/\'\\\'\'}
    printf "'%s'" "$escaped"
}

# A host as it may appear in a workers file and on a remote command line.
valid_host() {
    [[ $1 =~ ^[A-Za-z0-9_.:][A-Za-z0-9_.:-]*$ ]]
}

valid_count() {
    [[ $1 =~ ^[0-9]{1,9}$ ]] && (( 10#$1 >= $2 ))
}

action=""
head_host=""
workers_file=""
port=6379
num_cpus=""
ray_command=${RAY_CLUSTER_RAY:-ray}
ssh_command=${RAY_CLUSTER_SSH:-ssh}
parallel=16
token_file=""
force=""

while (( $# > 0 )); do
    case $1 in
        -h|--help) usage; exit 0 ;;
        up|down)
            [[ -z $action ]] || fail_usage "one action, up or down"
            action=$1; shift ;;
        --head|--workers|--port|--num-cpus|--ray|--ssh|--parallel|--token-file)
            (( $# >= 2 )) || fail_usage "$1 needs a value"
            case $1 in
                --head) head_host=$2 ;;
                --workers) workers_file=$2 ;;
                --port) port=$2 ;;
                --num-cpus) num_cpus=$2 ;;
                --ray) ray_command=$2 ;;
                --ssh) ssh_command=$2 ;;
                --parallel) parallel=$2 ;;
                --token-file) token_file=$2 ;;
            esac
            shift 2 ;;
        --force) force=--force; shift ;;
        *) fail_usage "unknown argument '$1'" ;;
    esac
done

[[ -n $action ]] || fail_usage "say up or down"
[[ -n $head_host ]] || fail_usage "--head HOST is required"
[[ -n $workers_file ]] || fail_usage "--workers FILE is required"
valid_host "$head_host" || fail_usage "--head '$head_host' is not a host name or address"
valid_count "$port" 1 && (( 10#$port <= 65535 )) || fail_usage "--port '$port' is not a port (1-65535)"
valid_count "$parallel" 1 || fail_usage "--parallel '$parallel' is not a positive number"
[[ -z $num_cpus ]] || valid_count "$num_cpus" 0 || fail_usage "--num-cpus '$num_cpus' is not a number"
[[ -n $ray_command ]] || fail_usage "--ray is empty"
read -r -a ssh <<< "$ssh_command"
(( ${#ssh[@]} > 0 )) || fail_usage "--ssh is empty"
[[ $action == down || -z $force ]] || fail_usage "--force is for down"

# The workers file: one host per line.
[[ -f $workers_file && -r $workers_file ]] || fail_usage "workers file '$workers_file' is missing or unreadable"
workers=()
line_number=0
while IFS= read -r line || [[ -n $line ]]; do
    line_number=$((line_number + 1))
    line=${line%%#*}
    read -r -a words <<< "$line" || true
    (( ${#words[@]} == 0 )) && continue
    where="$workers_file:$line_number"
    (( ${#words[@]} == 1 )) || fail_usage "$where: one host per line, found '${words[*]}'"
    host=${words[0]}
    valid_host "$host" || fail_usage "$where: '$host' is not a host name or address"
    [[ $host != "$head_host" ]] || fail_usage "$where: $host is the head (--head); list only the workers"
    for seen in ${workers[@]+"${workers[@]}"}; do
        [[ $host != "$seen" ]] || fail_usage "$where: $host is listed twice"
    done
    workers+=("$host")
done < "$workers_file"

# Where the workers keep the token, as a word for their shell ($HOME is theirs).
if [[ -n $token_file ]]; then
    remote_token_file=$(quote "$token_file")
else
    remote_token_file="\"\$HOME\"/.ray/$(quote "cluster-token-$head_host-$port")"
fi

cpus_option=""
[[ -z $num_cpus ]] || cpus_option=" --num-cpus $(quote "$num_cpus")"
ray=$(quote "$ray_command")

scratch=$(mktemp -d "${TMPDIR:-/tmp}/ray-cluster.XXXXXX")
chmod 700 "$scratch"
cleanup() {
    local jobs
    jobs=$(jobs -pr)
    [[ -z $jobs ]] || kill $jobs 2>/dev/null || true
    rm -rf "$scratch"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Runs COMMAND on HOST (the caller redirects stdin: /dev/null, or the token).
on_host() {
    local host=$1 command=$2
    "${ssh[@]}" "$host" "$command"
}

# Prints a file's lines prefixed with `[host] `.
show_output() {
    local host=$1 file=$2
    [[ -s $file ]] || return 0
    sed "s/^/[$host] /" "$file"
}

# Runs FUNCTION HOST for every host, `parallel` at a time; prints each host's output and the
# list of failed hosts in `failed`.
failed=()
for_each_host() {
    local function=$1; shift
    local hosts=("$@") index
    failed=()
    rm -f "$scratch"/*.status "$scratch"/*.out
    for index in "${!hosts[@]}"; do
        # A job is done once it has written its status.
        while (( index - $(find "$scratch" -name '*.status' | wc -l) >= 10#$parallel )); do sleep 0.05; done
        (
            set +e
            "$function" "${hosts[$index]}" > "$scratch/$index.out" 2>&1
            echo $? > "$scratch/$index.status"
        ) &
    done
    wait
    for index in "${!hosts[@]}"; do
        show_output "${hosts[$index]}" "$scratch/$index.out"
        if [[ $(cat "$scratch/$index.status" 2>/dev/null) != 0 ]]; then
            failed+=("${hosts[$index]}")
        fi
    done
}

start_worker() {
    local host=$1
    on_host "$host" "umask 077 && mkdir -p -- \"\$(dirname -- $remote_token_file)\" && cat > $remote_token_file" \
        < "$scratch/token" || { echo "could not copy the cluster token"; return 1; }
    on_host "$host" "$ray start --address $(quote "$head_host:$port") --token-file $remote_token_file --node-ip-address $(quote "$host")$cpus_option" \
        < /dev/null
}

stop_worker() {
    local host=$1 status=0
    on_host "$host" "$ray stop${force:+ $force}" < /dev/null || status=$?
    on_host "$host" "rm -f -- $remote_token_file" < /dev/null || true
    return "$status"
}

# The token file's path on the head, from what `ray start --head` printed.
head_token_path() {
    local output=$1 path
    if [[ -n ${RAY_CLUSTER_HEAD_TOKEN_FILE:-} ]]; then
        printf '%s\n' "$RAY_CLUSTER_HEAD_TOKEN_FILE"
        return
    fi
    path=$(printf '%s\n' "$output" | sed -n "s/.*--token-file[ =]['\"]\{0,1\}\([^ '\"]*\).*/\1/p" | sed -n 1p)
    if [[ -z $path ]]; then
        path=$(printf '%s\n' "$output" | grep -i 'token' | grep -o "/[^ '\"]*" | sed -n 1p) || true
    fi
    printf '%s\n' "$path"
}

up() {
    echo "$program: starting the head on $head_host"
    local output status=0
    # To a file, not $(...): a reader of a pipe would also wait for the daemons ray start leaves.
    on_host "$head_host" "$ray start --head --port $(quote "$port") --node-ip-address $(quote "$head_host")$cpus_option" \
        < /dev/null > "$scratch/head.out" 2>&1 || status=$?
    show_output "$head_host" "$scratch/head.out"
    output=$(cat "$scratch/head.out")
    if (( status != 0 )); then
        echo "$program: the head failed to start on $head_host (status $status)" >&2
        exit 1
    fi
    (( ${#workers[@]} > 0 )) || { echo "$program: no workers in $workers_file; the head runs alone"; exit 0; }

    local path
    path=$(head_token_path "$output")
    if [[ -z $path ]]; then
        echo "$program: the head's output names no token file; set RAY_CLUSTER_HEAD_TOKEN_FILE to its path on $head_host" >&2
        exit 1
    fi
    ( umask 077 && : > "$scratch/token" )
    if ! on_host "$head_host" "cat -- $(quote "$path")" < /dev/null > "$scratch/token" || [[ ! -s $scratch/token ]]; then
        echo "$program: could not read the token file $path on $head_host" >&2
        exit 1
    fi

    echo "$program: starting ${#workers[@]} worker(s), $parallel at a time"
    for_each_host start_worker "${workers[@]}"
    if (( ${#failed[@]} > 0 )); then
        echo "$program: failed to start on ${#failed[@]} of ${#workers[@]} worker(s): ${failed[*]}" >&2
        exit 1
    fi
    echo "$program: the cluster is up: head $head_host:$port and ${#workers[@]} worker(s)"
}

down() {
    local all_failed=()
    if (( ${#workers[@]} > 0 )); then
        echo "$program: stopping ${#workers[@]} worker(s), $parallel at a time"
        for_each_host stop_worker "${workers[@]}"
        all_failed=(${failed[@]+"${failed[@]}"})
    fi
    echo "$program: stopping the head on $head_host"
    local status=0
    on_host "$head_host" "$ray stop${force:+ $force}" < /dev/null > "$scratch/head.out" 2>&1 || status=$?
    show_output "$head_host" "$scratch/head.out"
    (( status == 0 )) || all_failed+=("$head_host")
    if (( ${#all_failed[@]} > 0 )); then
        echo "$program: ray stop failed on: ${all_failed[*]}" >&2
        exit 1
    fi
    echo "$program: the cluster is down"
}

"$action"
