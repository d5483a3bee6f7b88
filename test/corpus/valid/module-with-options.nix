{ config, lib, pkgs, ... }:

with lib;

let
  cfg = config.services.nixkit-demo;
  configFile = pkgs.writeText "demo.conf" ''
    listen = ${cfg.address}:${toString cfg.port}
    workers = ${toString cfg.workers}
    ${optionalString cfg.debug "log-level = debug"}
  '';
in
{
  options.services.nixkit-demo = {
    enable = mkEnableOption "the nixkit demo service";

    address = mkOption {
      type = types.str;
      default = "127.0.0.1";
      description = "Address to listen on.";
    };

    port = mkOption {
      type = types.port;
      default = 8080;
      example = 9000;
      description = ''
        Port to listen on. Must be above 1024 unless the service
        runs as root.
      '';
    };

    workers = mkOption {
      type = types.ints.positive;
      default = 4;
    };

    debug = mkOption {
      type = types.bool;
      default = false;
    };
  };

  config = mkIf cfg.enable {
    systemd.services.nixkit-demo = {
      description = "nixkit demo";
      wantedBy = [ "multi-user.target" ];
      after = [ "network.target" ];
      serviceConfig = {
        ExecStart = "${pkgs.hello}/bin/hello --config ${configFile}";
        DynamicUser = true;
        Restart = "on-failure";
      };
    };
    networking.firewall.allowedTCPPorts = mkIf (cfg.address != "127.0.0.1") [ cfg.port ];
  };
}
