# Two sets of one name merge one level deep: a name both define is a duplicate even when both are sets.
{
  homeassistant = {
    customize = { "lifx.name" = { icon = "a"; }; };
  };
  homeassistant = {
    customize = { "lifx.name" = { icon = "b"; }; };
  };
}
