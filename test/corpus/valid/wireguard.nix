{ config, pkgs, lib, ... }:
let
  peers = [
    { name = "phone"; publicKey = "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg="; ip = "10.100.0.2"; }
    { name = "tablet"; publicKey = "TrMvSoP4jYQlY6RIzBgbssQqY3vxI2Pi+y71lOWWXX0="; ip = "10.100.0.3"; }
  ];
in
{
  networking.nat = { enable = true; externalInterface = "eth0"; internalInterfaces = [ "wg0" ]; };
  networking.firewall.allowedUDPPorts = [ 51820 ];
  networking.wireguard.interfaces.wg0 = {
    ips = [ "10.100.0.1/24" ];
    listenPort = 51820;
    privateKeyFile = "/etc/wireguard/private.key";
    postSetup = ''
      ${pkgs.iptables}/bin/iptables -t nat -A POSTROUTING -s 10.100.0.0/24 -o eth0 -j MASQUERADE
    '';
    peers = map (p: { publicKey = p.publicKey; allowedIPs = [ "${p.ip}/32" ]; }) peers;
  };
}
