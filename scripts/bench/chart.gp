# chart.gp - the bench's bar chart: every timed row as a ratio to its case's
# baseline (log scale; 1 = as fast as the baseline, lower is faster).
# Called by lib.bash's draw_chart with datafile (label<TAB>ratio<TAB>kind)
# and outfile set.
set terminal pngcairo size 1400,760 font ",10"
set output outfile
set datafile separator "\t"
set title "docker-lite bench: median time as a ratio to each case's baseline (lower is faster)"
set ylabel "ratio to the case's baseline (log scale)"
set logscale y 2
set grid ytics
set style fill solid 0.85 border -1
set boxwidth 0.7
set xtics rotate by -50 left noenhanced
set bmargin 14
set rmargin 14
set key off
color(kind) = kind eq "ours" ? 0xc0392b : (kind eq "baseline" ? 0x27ae60 : (kind eq "info" ? 0x7f8c8d : 0x2e86c1))
set label 1 "green: baseline   red: docker-lite   blue: other runtimes / tools   grey: info" at graph 0.01, graph 0.96
plot datafile using 0:2:(color(strcol(3))):xtic(1) with boxes lc rgb variable, \
     1 with lines lc rgb "black" dt 2
