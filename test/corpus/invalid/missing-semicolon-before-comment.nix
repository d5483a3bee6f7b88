{ ... }:
{
  time.timeZone = "UTC" # comment here
  # and another comment line

  i18n.defaultLocale = "en_US.UTF-8";
}