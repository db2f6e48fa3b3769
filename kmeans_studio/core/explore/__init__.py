"""Many runs at once, and how to judge them: `sweep` (k from 2 to n), `race`
(initialisations side by side), `algorithms` (other clusterings), `metrics`."""
