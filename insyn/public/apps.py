from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "insyn.public"
    verbose_name = "Publik webbplats"

    def ready(self) -> None:
        # "Ni sa — vi gjorde" gathers the apps' loop items (insyn.core.registry) into one panel.
        from insyn.core import registry
        from insyn.public import panels

        registry.register_panels(
            "public", goal=panels.goal_loop_panel, assignment=panels.assignment_loop_panel
        )
