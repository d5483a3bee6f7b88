{ config, pkgs, lib, ... }:
let
  backupScript = pkgs.writeShellScript "backup" ''
    set -euo pipefail
    export PATH=${lib.makeBinPath [ pkgs.rsync pkgs.coreutils ]}
    rsync -a --delete /srv/ backup@nas:/backups/${config.networking.hostName}/
    echo "done at $(date)"
  '';
in
{
  systemd.services.backup = {
    serviceConfig = { Type = "oneshot"; ExecStart = backupScript; Nice = 19; };
    path = [ pkgs.openssh ];
  };
  systemd.timers.backup = {
    wantedBy = [ "timers.target" ];
    timerConfig = { OnCalendar = "daily"; Persistent = true; RandomizedDelaySec = "1h"; };
  };
}
