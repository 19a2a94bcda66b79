"""nbgrader's course folder for the Convolutions workbook: run every nbgrader command from this folder.

    make assignments                                  # source/<lesson>/<lesson>.ipynb from the lessons
    cd classroom/nbgrader
    nbgrader generate_assignment 03_cross_correlation_and_conv_layers   # release/: no solutions, no hidden tests
    nbgrader release_assignment 03_cross_correlation_and_conv_layers    # to the hub's exchange (learners fetch it)
    nbgrader collect 03_cross_correlation_and_conv_layers
    nbgrader autograde 03_cross_correlation_and_conv_layers
    nbgrader export                                   # grades.csv

classroom/README.md walks through a graded class; tests/test_classroom_grading.py runs the
generate, autograde and export steps on three simulated submissions.
"""
from pathlib import Path

c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file

c.CourseDirectory.root = str(Path(__file__).resolve().parent)
c.CourseDirectory.course_id = "convolutions"
# Same stub as the course's student copies: the checks recognise it and say "not attempted yet".
c.ClearSolutions.code_stub = {"python": '# your code here\nraise NotImplementedError("replace this line with your code")'}
c.ClearSolutions.text_stub = "Your answer here."
# A whole lesson runs before its exercises are graded (imports of four libraries on one CPU).
c.ExecutePreprocessor.timeout = 600
# The hub's shared exchange for release, fetch and submit (nbgrader's default place; create it world-writable
# with the sticky bit: mkdir -p /srv/nbgrader/exchange && chmod 1777 /srv/nbgrader/exchange).
c.Exchange.root = "/srv/nbgrader/exchange"
