{ config, ... }:
{
  settings = config//extraSettings;
}
