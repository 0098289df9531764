from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "insyn.public"
    verbose_name = "Publik webbplats"

    def ready(self) -> None:
        # "Ni sa — vi gjorde" gathers the apps' loop items (insyn.core.registry) into one panel.
        from insyn.core import registry
        from insyn.public import panels

        # Every app's loop items: every area, and the date (feedback promised by a day).
        registry.register_panels(
            "public",
            areas=("follow_up", "dialogue", "feedback"),
            daily=True,
            goal=panels.goal_loop_panel,
            assignment=panels.assignment_loop_panel,
        )
