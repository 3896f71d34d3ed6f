/// The names emitted C must keep clear of, one table: C's keywords, the library functions
/// compilers know as built-ins, the libm functions the ops' spellings call (`Spelling.libm`),
/// every name the headers it includes declare (`<math.h>`, `<stddef.h>`, `<stdint.h>`, `<stdlib.h>`, `<string.h>`, as
/// the C standard and glibc declare them, in strict and GNU modes), `errno` and `main`, and
/// the rule C99 §7.1.3 gives for the rest: a name beginning with `__`, or with `_` and a
/// capital, belongs to the implementation.  (Struct members and tags, such as `div_t`'s `quot`,
/// share no name space with functions and variables, and are free.)
enum CNames {
  /// Whether `name` is reserved in a C file that includes those headers.
  static func isReserved(_ name: String) -> Bool {
    if name.hasPrefix("__") { return true }
    if name.hasPrefix("_"), let second = name.unicodeScalars.dropFirst().first,
      ("A"..."Z").contains(second)
    {
      return true
    }
    return keywords.contains(name) || declared.contains(name) || builtIns.contains(name)
      || Spelling.libmNames.contains(name)
  }

  /// C99's keywords, and those C23 adds without an underscore (C11's all begin with `_` and a
  /// capital); compilers that default to C23 reject these as names.
  static let keywords: Set<String> = [
    "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else",
    "enum", "extern", "float", "for", "goto", "if", "inline", "int", "long", "register",
    "restrict", "return", "short", "signed", "sizeof", "static", "struct", "switch", "typedef",
    "union", "unsigned", "void", "volatile", "while", "alignas", "alignof", "bool", "constexpr",
    "false", "nullptr", "static_assert", "thread_local", "true", "typeof", "typeof_unqual",
  ]

  /// The functions, macros and types the included headers declare (those beginning with `_` are
  /// covered by the rule above), read from glibc's headers under gcc and clang in the default,
  /// `-std=c99` and `-std=c11` modes (`CExportNameTests` rereads them), plus `errno`, `main`,
  /// the predefined `linux` and `unix`, and SVID's `<math.h>` names other C libraries declare.
  static let declared = Set(
    """
    errno main HUGE MAXFLOAT DOMAIN SING OVERFLOW UNDERFLOW TLOSS PLOSS X_TLOSS matherr exception
    BIG_ENDIAN BYTE_ORDER EXIT_FAILURE EXIT_SUCCESS FD_CLR FD_ISSET FD_SET FD_SETSIZE FD_ZERO
    FP_ILOGB0 FP_ILOGBNAN FP_INFINITE FP_NAN FP_NORMAL FP_SUBNORMAL FP_ZERO HUGE_VAL HUGE_VALF
    HUGE_VALL INFINITY INT16_C INT16_MAX INT16_MIN INT32_C INT32_MAX INT32_MIN INT64_C INT64_MAX
    INT64_MIN INT8_C INT8_MAX INT8_MIN INTMAX_C INTMAX_MAX INTMAX_MIN INTPTR_MAX INTPTR_MIN
    INT_FAST16_MAX INT_FAST16_MIN INT_FAST32_MAX INT_FAST32_MIN INT_FAST64_MAX INT_FAST64_MIN
    INT_FAST8_MAX INT_FAST8_MIN INT_LEAST16_MAX INT_LEAST16_MIN INT_LEAST32_MAX INT_LEAST32_MIN
    INT_LEAST64_MAX INT_LEAST64_MIN INT_LEAST8_MAX INT_LEAST8_MIN LITTLE_ENDIAN MATH_ERREXCEPT
    MATH_ERRNO MB_CUR_MAX M_1_PI M_2_PI M_2_SQRTPI M_E M_LN10 M_LN2 M_LOG10E M_LOG2E M_PI M_PI_2
    M_PI_4 M_SQRT1_2 M_SQRT2 NAN NFDBITS NULL PDP_ENDIAN PTRDIFF_MAX PTRDIFF_MIN RAND_MAX
    SIG_ATOMIC_MAX SIG_ATOMIC_MIN SIZE_MAX UINT16_C UINT16_MAX UINT32_C UINT32_MAX UINT64_C
    UINT64_MAX UINT8_C UINT8_MAX UINTMAX_C UINTMAX_MAX UINTPTR_MAX UINT_FAST16_MAX UINT_FAST32_MAX
    UINT_FAST64_MAX UINT_FAST8_MAX UINT_LEAST16_MAX UINT_LEAST32_MAX UINT_LEAST64_MAX
    UINT_LEAST8_MAX WCHAR_MAX WCHAR_MIN WCONTINUED WEXITED WEXITSTATUS WIFCONTINUED WIFEXITED
    WIFSIGNALED WIFSTOPPED WINT_MAX WINT_MIN WNOHANG WNOWAIT WSTOPPED WSTOPSIG WTERMSIG WUNTRACED
    a64l abort abs acos acosf acosh acoshf acoshl acosl aligned_alloc alloca arc4random
    arc4random_buf arc4random_uniform asin asinf asinh asinhf asinhl asinl at_quick_exit atan atan2
    atan2f atan2l atanf atanh atanhf atanhl atanl atexit atof atoi atol atoll bcmp bcopy be16toh
    be32toh be64toh blkcnt_t blksize_t bsearch bzero caddr_t calloc cbrt cbrtf cbrtl ceil ceilf
    ceill clearenv clock_t clockid_t copysign copysignf copysignl cos cosf cosh coshf coshl cosl
    daddr_t dev_t div div_t double_t drand48 drand48_r drem dremf dreml ecvt ecvt_r erand48
    erand48_r erf erfc erfcf erfcl erff erfl exit exp exp2 exp2f exp2l expf expl explicit_bzero
    expm1 expm1f expm1l fabs fabsf fabsl fcvt fcvt_r fd_mask fd_set fdim fdimf fdiml ffs ffsl ffsll
    finite finitef finitel float_t floor floorf floorl fma fmaf fmal fmax fmaxf fmaxl fmin fminf
    fminl fmod fmodf fmodl fpclassify free frexp frexpf frexpl fsblkcnt_t fsfilcnt_t fsid_t gamma
    gammaf gammal gcvt getenv getloadavg getsubopt gid_t htobe16 htobe32 htobe64 htole16 htole32
    htole64 hypot hypotf hypotl id_t ilogb ilogbf ilogbl index initstate initstate_r ino_t int16_t
    int32_t int64_t int8_t int_fast16_t int_fast32_t int_fast64_t int_fast8_t int_least16_t
    int_least32_t int_least64_t int_least8_t intmax_t intptr_t isfinite isgreater isgreaterequal
    isinf isinff isinfl isless islessequal islessgreater isnan isnanf isnanl isnormal isunordered
    j0 j0f j0l j1 j1f j1l jn jnf jnl jrand48 jrand48_r key_t l64a labs lcong48 lcong48_r ldexp
    ldexpf ldexpl ldiv ldiv_t le16toh le32toh le64toh lgamma lgamma_r lgammaf lgammaf_r lgammal
    lgammal_r linux llabs lldiv lldiv_t llrint llrintf llrintl llround llroundf llroundl locale_t
    loff_t log log10 log10f log10l log1p log1pf log1pl log2 log2f log2l logb logbf logbl logf logl
    lrand48 lrand48_r lrint lrintf lrintl lround lroundf lroundl malloc math_errhandling
    max_align_t mblen mbstowcs mbtowc memccpy memchr memcmp memcpy memmove memset mkdtemp mkstemp
    mkstemps mktemp mode_t modf modff modfl mrand48 mrand48_r nan nanf nanl nearbyint nearbyintf
    nearbyintl nextafter nextafterf nextafterl nexttoward nexttowardf nexttowardl nlink_t nrand48
    nrand48_r off_t offsetof on_exit pid_t posix_memalign pow powf powl pselect pthread_attr_t
    pthread_barrier_t pthread_barrierattr_t pthread_cond_t pthread_condattr_t pthread_key_t
    pthread_mutex_t pthread_mutexattr_t pthread_once_t pthread_rwlock_t pthread_rwlockattr_t
    pthread_spinlock_t pthread_t ptrdiff_t putenv qecvt qecvt_r qfcvt qfcvt_r qgcvt qsort quad_t
    quick_exit rand rand_r random random_r realloc reallocarray realpath register_t remainder
    remainderf remainderl remquo remquof remquol rindex rint rintf rintl round roundf roundl
    rpmatch scalb scalbf scalbl scalbln scalblnf scalblnl scalbn scalbnf scalbnl seed48 seed48_r
    select setenv setstate setstate_r signbit signgam significand significandf significandl
    sigset_t sin sinf sinh sinhf sinhl sinl size_t sqrt sqrtf sqrtl srand srand48 srand48_r srandom
    srandom_r ssize_t stpcpy stpncpy strcasecmp strcasecmp_l strcat strchr strcmp strcoll strcoll_l
    strcpy strcspn strdup strerror strerror_l strerror_r strlen strncasecmp strncasecmp_l strncat
    strncmp strncpy strndup strnlen strpbrk strrchr strsep strsignal strspn strstr strtod strtof
    strtok strtok_r strtol strtold strtoll strtoq strtoul strtoull strtouq strxfrm strxfrm_l
    suseconds_t system tan tanf tanh tanhf tanhl tanl tgamma tgammaf tgammal time_t timer_t trunc
    truncf truncl u_char u_int u_int16_t u_int32_t u_int64_t u_int8_t u_long u_quad_t u_short uid_t
    uint uint16_t uint32_t uint64_t uint8_t uint_fast16_t uint_fast32_t uint_fast64_t uint_fast8_t
    uint_least16_t uint_least32_t uint_least64_t uint_least8_t uintmax_t uintptr_t ulong unix
    unsetenv ushort valloc wchar_t wcstombs wctomb y0 y0f y0l y1 y1f y1l yn ynf ynl
    """.split(whereSeparator: \.isWhitespace).map(String.init))

  /// Library functions gcc and clang know as built-ins although the file includes no header
  /// that declares them (`<complex.h>`, `<fenv.h>`, `<stdio.h>`, `<ctype.h>`, `<wctype.h>`,
  /// `<time.h>`): a function of another type under one of these names is a warning
  /// ("conflicting types for built-in function"), so an error under `-Werror`. Found by
  /// compiling every name gcc's built-in table holds as the emitted function's name.
  static let builtIns = Set(
    """
    cabs cabsf cabsl cacos cacosf cacosh cacoshf cacoshl cacosl carg cargf cargl casin casinf
    casinh casinhf casinhl casinl catan catanf catanh catanhf catanhl catanl ccos ccosf ccosh
    ccoshf ccoshl ccosl cexp cexpf cexpl cimag cimagf cimagl clog clogf clogl conj conjf conjl cpow
    cpowf cpowl cproj cprojf cprojl creal crealf creall csin csinf csinh csinhf csinhl csinl csqrt
    csqrtf csqrtl ctan ctanf ctanh ctanhf ctanhl ctanl feclearexcept fegetenv fegetexceptflag
    fegetround feholdexcept feraiseexcept fesetenv fesetexceptflag fesetround fetestexcept
    feupdateenv fprintf fputc fputs fscanf fwrite isalnum isalpha isblank iscntrl isdigit isgraph
    islower isprint ispunct isspace isupper iswalnum iswalpha iswblank iswcntrl iswdigit iswgraph
    iswlower iswprint iswpunct iswspace iswupper iswxdigit isxdigit printf putc putchar puts scanf
    snprintf sprintf sscanf strftime tolower toupper towlower towupper vfprintf vfscanf vprintf
    vscanf vsnprintf vsprintf vsscanf
    """.split(whereSeparator: \.isWhitespace).map(String.init))
}
