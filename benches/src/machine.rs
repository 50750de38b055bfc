//! What the machine says about itself while a bench runs: its load average and a
//! process's memory, read from `/proc` (Linux; zero or empty elsewhere).

/// The load average over 1, 5 and 15 minutes, as `/proc/loadavg` gives it.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// A memory figure of `/proc/<pid>/status` in kB (`key`: `VmHWM:` for the peak resident
/// set, `VmRSS:` for the current one), of this process when `pid` is `None`; 0 when it
/// cannot be read.
pub fn status_kb(pid: Option<u32>, key: &str) -> i64 {
    let path = pid.map_or_else(
        || "/proc/self/status".to_owned(),
        |pid| format!("/proc/{pid}/status"),
    );
    std::fs::read_to_string(path)
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix(key))
                .and_then(|v| v.split_whitespace().next().and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}
