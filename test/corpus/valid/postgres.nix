{ pkgs, ... }: {
  services.postgresql = {
    enable = true;
    package = pkgs.postgresql_14;
    ensureDatabases = [ "nextcloud" "gitea" ];
    ensureUsers = [
      { name = "nextcloud"; ensurePermissions."DATABASE nextcloud" = "ALL PRIVILEGES"; }
      { name = "gitea"; ensurePermissions = { "DATABASE gitea" = "ALL PRIVILEGES"; }; }
    ];
    authentication = pkgs.lib.mkOverride 10 ''
      local all all trust
      host all all 127.0.0.1/32 md5
    '';
    settings = {
      shared_buffers = "256MB";
      max_connections = 100;
      log_min_duration_statement = 500;
      "auto_explain.log_min_duration" = "1s";
    };
  };
  services.postgresqlBackup = { enable = true; startAt = "*-*-* 03:15:00"; };
}
